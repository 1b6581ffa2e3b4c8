"""Dataset checks: validate every row, drop duplicate keys, sort, enforce the reject ratio."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from pydantic import ValidationError

from contracts.errors import ContractError
from contracts.row import CSV_HEADER, ROW_KEY, CampaignRow

KEY_INDEX = tuple(CSV_HEADER.index(c) for c in ROW_KEY)
DEFAULT_MAX_REJECT_RATIO = 0.05


@dataclass
class CheckedRows:
    rows: list[tuple[str, ...]]  # header order, sorted on ROW_KEY, one per key
    rejects: Counter  # reason -> count (never the values)
    duplicates: int


def reject_reason(exc: ValidationError) -> str:
    """`invalid_<column>` of the first error, `invalid_row` for a whole-row rule. No values."""
    loc = exc.errors(include_input=False)[0].get("loc") or ()
    return f"invalid_{loc[0]}" if loc else "invalid_row"


def validate_row(row: dict[str, str]) -> tuple[str, ...] | str:
    """The row as a tuple in header order, or the reject reason."""
    if tuple(row) != CSV_HEADER:
        raise ContractError("a built row's columns differ from the CSV contract header")
    try:
        CampaignRow.model_validate(row)
    except ValidationError as exc:
        return reject_reason(exc)
    return tuple(row.values())


def row_key(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(row[i] for i in KEY_INDEX)


def check_rows(rows: Iterable[dict[str, str]], earlier_rejects: Counter | None = None,
               max_reject_ratio: float = DEFAULT_MAX_REJECT_RATIO) -> CheckedRows:
    """Validate, dedupe on (portal, job_uuid, subject_uuid, activity_uuid), sort.

    `earlier_rejects` are subjects rejected while building rows (e.g. invalid_phone);
    they count toward the ratio like rows rejected here.
    """
    rejects: Counter = Counter(earlier_rejects or {})
    valid = []
    for row in rows:
        checked = validate_row(row)
        if isinstance(checked, str):
            rejects[checked] += 1
        else:
            valid.append(checked)
    valid.sort(key=lambda r: (row_key(r), r))
    unique, last_key = [], None
    for row in valid:
        key = row_key(row)
        if key != last_key:
            unique.append(row)
            last_key = key
    total_rejects = sum(rejects.values())
    considered = len(valid) + total_rejects
    if considered and total_rejects / considered > max_reject_ratio:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(rejects.items()))
        raise ContractError(f"{total_rejects} of {considered} rows rejected "
                            f"({total_rejects / considered:.1%} > max_reject_ratio {max_reject_ratio:.1%}): {reasons}")
    return CheckedRows(rows=unique, rejects=rejects, duplicates=len(valid) - len(unique))
