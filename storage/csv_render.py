"""The CSV bytes: RFC 4180 quoting via the csv module, UTF-8, `\\n` line ends, formula-injection guard."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Iterable

from contracts.row import CSV_HEADER, PHONE_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE_INDEX = frozenset(i for i, c in enumerate(CSV_HEADER) if c in PHONE_COLUMNS)


def guard_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def guard_row(row: tuple[str, ...]) -> list[str]:
    # Phones are validated E.164 ("+1...") and must stay dialable.
    return [v if i in _PHONE_INDEX else guard_cell(v) for i, v in enumerate(row)]


def render_csv(rows: Iterable[tuple[str, ...]]) -> bytes:
    """Header then rows; the same rows always give the same bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    writer.writerows(guard_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
