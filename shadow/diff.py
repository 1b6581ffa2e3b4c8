"""A semantic CSV diff: rows matched on a key, not lines, in bounded memory.

Each file is read as CSV (rows with the wrong field count, the legacy tool's
bare-comma rows, are counted by line number and skipped), reduced to its key
and the compared columns, and sorted on the key by an external merge sort
(chunks of `chunk_rows` rows spill to temp files). The two sorted streams are
then merge-joined: rows only in one file, duplicated keys, and, for matched
rows, which columns differ, counted per column. Values never reach the result:
examples carry keys (person ids hashed) and column names only.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from contracts.errors import ContractError
from contracts.phones import to_e164
from contracts.row import PHONE_COLUMNS, ROW_KEY
from flows.logs import hashed_id
from shadow.sources import open_text
from storage.csv_render import FORMULA_STARTS

SEP = "\x1f"  # joins a row's compared values into one string (one object per row in memory)
HASHED_KEY_COLUMNS = frozenset({"subject_uuid", "external_id", "first_name", "last_name", "parent_name",
                                "phone_number", "phone_number_2", "email", "email_2", "access_code",
                                "url", "custom_gallery_url", "registered_user_email"})
DEFAULT_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class DiffOptions:
    key: tuple[str, ...] = ROW_KEY
    ignore_columns: frozenset[str] = frozenset()
    normalize_phones: bool = True
    ignore_formula_guard: bool = True  # the new tool prefixes formula-like cells with '
    max_examples: int = 5
    chunk_rows: int = DEFAULT_CHUNK_ROWS


@dataclass
class Side:
    uri: str
    header: list[str] = field(default_factory=list)
    rows: int = 0
    malformed_rows: int = 0
    malformed_lines: list[int] = field(default_factory=list)
    duplicate_keys: int = 0
    duplicate_examples: list[list[str]] = field(default_factory=list)


@dataclass
class DiffResult:
    legacy: Side
    new: Side
    missing_columns: list[str]  # in legacy, not in new
    extra_columns: list[str]  # in new, not in legacy
    reordered: bool
    compared_columns: list[str]
    matched: int = 0
    only_in_legacy: int = 0
    only_in_new: int = 0
    differing_rows: int = 0
    column_differences: Counter = field(default_factory=Counter)
    examples: dict[str, list] = field(default_factory=lambda: {"only_in_legacy": [], "only_in_new": [], "differing": []})

    @property
    def equivalent(self) -> bool:
        return not (self.missing_columns or self.extra_columns or self.reordered or self.only_in_legacy
                    or self.only_in_new or self.differing_rows or self.legacy.malformed_rows
                    or self.new.malformed_rows or self.legacy.duplicate_keys or self.new.duplicate_keys
                    or self.legacy.rows != self.new.rows)

    def as_dict(self) -> dict:
        sides = {name: {k: v for k, v in vars(side).items()} for name, side in (("legacy", self.legacy), ("new", self.new))}
        return {
            "equivalent": self.equivalent, **sides,
            "header": {"missing_in_new": self.missing_columns, "extra_in_new": self.extra_columns,
                       "reordered": self.reordered},
            "compared_columns": self.compared_columns, "matched": self.matched,
            "only_in_legacy": self.only_in_legacy, "only_in_new": self.only_in_new,
            "differing_rows": self.differing_rows,
            "column_differences": dict(self.column_differences.most_common()),
            "examples": self.examples,
        }

    def counts(self) -> dict:
        """The figures only (for logs): no keys, no values."""
        data = self.as_dict()
        data.pop("examples")
        for side in ("legacy", "new"):
            data[side] = {k: v for k, v in data[side].items() if k in ("rows", "malformed_rows", "duplicate_keys")}
        return data


def shown_key(key_columns: tuple[str, ...], key: tuple[str, ...]) -> list[str]:
    """A key as it may be printed: person-identifying parts hashed."""
    return [hashed_id(v) if c in HASHED_KEY_COLUMNS else v for c, v in zip(key_columns, key)]


def _normalizer(column: str, options: DiffOptions):
    def normalize(value: str) -> str:
        if options.ignore_formula_guard and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]
        if options.normalize_phones and column in PHONE_COLUMNS and value:
            return to_e164(value) or value
        return value
    return normalize


def _read(side: Side, columns: list[str], options: DiffOptions,
          header_only: bool = False) -> Iterator[tuple[tuple[str, ...], str]]:
    """(key, joined compared values) per well-formed row; counts the malformed ones on `side`."""
    with open_text(side.uri) as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ContractError(f"{side.uri} is not a UTF-8 CSV ({type(exc).__name__})") from None
        if not header:
            raise ContractError(f"{side.uri} is empty: no CSV header")
        side.header = header
        missing_key = [c for c in options.key if c not in header]
        if missing_key:
            raise ContractError(f"{side.uri} lacks the key column(s) {', '.join(missing_key)}")
        if header_only:
            return
        key_idx = [header.index(c) for c in options.key]
        col_idx = [header.index(c) for c in columns]
        normalizers = [_normalizer(c, options) for c in columns]
        width = len(header)
        try:
            for row in reader:
                if len(row) != width:
                    if row:  # a blank line is not a row
                        side.malformed_rows += 1
                        if len(side.malformed_lines) < options.max_examples:
                            side.malformed_lines.append(reader.line_num)
                    continue
                side.rows += 1
                yield tuple(row[i] for i in key_idx), SEP.join(n(row[i]) for n, i in zip(normalizers, col_idx))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ContractError(f"{side.uri} is not a UTF-8 CSV near line {reader.line_num} "
                                f"({type(exc).__name__})") from None


def _external_sort(items: Iterable, chunk_rows: int, workdir: str) -> Iterator:
    """Sorted items; at most `chunk_rows` of them in memory, the rest in pickled runs on disk."""
    runs, chunk = [], []

    def spill() -> None:
        chunk.sort()
        handle = tempfile.TemporaryFile(dir=workdir)
        for item in chunk:
            pickle.dump(item, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.seek(0)
        runs.append(handle)
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) >= chunk_rows:
            spill()
    if not runs:
        chunk.sort()
        yield from chunk
        return
    if chunk:
        spill()

    def replay(handle):
        with handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    return

    yield from heapq.merge(*(replay(h) for h in runs))


def _grouped(items: Iterator, side: Side, options: DiffOptions) -> Iterator[tuple[tuple, str]]:
    """One (key, values) per key; extra rows with the same key are counted as duplicates."""
    for key, group in itertools.groupby(items, key=lambda item: item[0]):
        first = next(group)
        extra = sum(1 for _ in group)
        if extra:
            side.duplicate_keys += extra
            if len(side.duplicate_examples) < options.max_examples:
                side.duplicate_examples.append(shown_key(options.key, key))
        yield key, first[1]


def diff_csv(legacy_uri: str, new_uri: str, options: DiffOptions | None = None) -> DiffResult:
    options = options or DiffOptions()
    legacy, new = Side(legacy_uri), Side(new_uri)
    for side in (legacy, new):  # headers first: a bad file fails before any sorting
        for _ in _read(side, [], options, header_only=True):
            pass
    columns = [c for c in legacy.header if c in new.header and c not in options.key
               and c not in options.ignore_columns]
    shared = [c for c in legacy.header if c in new.header]
    result = DiffResult(
        legacy=legacy, new=new,
        missing_columns=[c for c in legacy.header if c not in new.header],
        extra_columns=[c for c in new.header if c not in legacy.header],
        reordered=shared != [c for c in new.header if c in legacy.header],
        compared_columns=columns,
    )
    with tempfile.TemporaryDirectory(prefix="campaign-diff-") as workdir:
        left = _grouped(_external_sort(_read(legacy, columns, options), options.chunk_rows, workdir), legacy, options)
        right = _grouped(_external_sort(_read(new, columns, options), options.chunk_rows, workdir), new, options)
        _merge_join(left, right, result, options)
    return result


def _merge_join(left: Iterator, right: Iterator, result: DiffResult, options: DiffOptions) -> None:
    examples, limit = result.examples, options.max_examples
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            result.only_in_legacy += 1
            if len(examples["only_in_legacy"]) < limit:
                examples["only_in_legacy"].append(shown_key(options.key, a[0]))
            a = next(left, None)
        elif a is None or b[0] < a[0]:
            result.only_in_new += 1
            if len(examples["only_in_new"]) < limit:
                examples["only_in_new"].append(shown_key(options.key, b[0]))
            b = next(right, None)
        else:
            result.matched += 1
            if a[1] != b[1]:
                differing = [c for c, x, y in zip(result.compared_columns, a[1].split(SEP), b[1].split(SEP)) if x != y]
                result.differing_rows += 1
                result.column_differences.update(differing)
                if len(examples["differing"]) < limit:
                    examples["differing"].append({"key": shown_key(options.key, a[0]), "columns": differing})
            a, b = next(left, None), next(right, None)


def render_report(result: DiffResult) -> str:
    """A short human report: verdict, counts, then a few examples (keys and column names only)."""
    d = result.as_dict()
    lines = [f"{'EQUIVALENT' if result.equivalent else 'DIFFERENT'}: legacy {result.legacy.uri} vs new {result.new.uri}"]
    for name in ("legacy", "new"):
        side = d[name]
        lines.append(f"  {name:6}: {side['rows']} rows, {side['malformed_rows']} malformed"
                     f"{' (lines ' + ', '.join(map(str, side['malformed_lines'])) + ')' if side['malformed_lines'] else ''}"
                     f", {side['duplicate_keys']} duplicate keys")
    header = d["header"]
    if header["missing_in_new"] or header["extra_in_new"] or header["reordered"]:
        lines.append(f"  header: missing in new {header['missing_in_new']}, extra in new {header['extra_in_new']}, "
                     f"reordered {header['reordered']}")
    lines.append(f"  matched {d['matched']}, only in legacy {d['only_in_legacy']}, only in new {d['only_in_new']}, "
                 f"differing {d['differing_rows']}")
    if d["column_differences"]:
        lines.append("  differing columns: " + ", ".join(f"{c}={n}" for c, n in d["column_differences"].items()))
    for kind, items in d["examples"].items():
        for item in items:
            lines.append(f"  e.g. {kind}: {item}")
    for name in ("legacy", "new"):
        for key in d[name]["duplicate_examples"]:
            lines.append(f"  e.g. duplicate key in {name}: {key}")
    return "\n".join(lines) + "\n"
