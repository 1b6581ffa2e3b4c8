"""Contract checks: per job (validate every row, drop duplicate keys, sort) and per dataset (reject ratio).

Rows are checked where they are built, one job at a time, so a run never holds
all its rows as Python objects: a job's checked rows are rendered to CSV bytes
right away. Jobs are disjoint on the key (it starts with portal and job), so the
campaign is the jobs' blocks in (portal, job) order.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from contracts.errors import ContractError
from contracts.row import CSV_HEADER, ROW_KEY, row_problem

KEY_INDEX = tuple(CSV_HEADER.index(c) for c in ROW_KEY)
row_key = operator.itemgetter(*KEY_INDEX)
DEFAULT_MAX_REJECT_RATIO = 0.05


@dataclass
class CheckedRows:
    rows: list[tuple[str, ...]]  # header order, sorted on ROW_KEY, one per key
    rejects: Counter  # reason -> count (never the values)
    duplicates: int


def validate_row(row: dict[str, str]) -> tuple[str, ...] | str:
    """The row as a tuple in header order, or the reject reason."""
    if tuple(row) != CSV_HEADER:
        raise ContractError("a built row's columns differ from the CSV contract header")
    return row_problem(row) or tuple(row.values())


def check_rows(rows: Iterable[dict[str, str]]) -> CheckedRows:
    """Validate, dedupe on (portal, job_uuid, subject_uuid, activity_uuid), sort.

    The sort is stable: of rows sharing a key, the first built is kept (same payloads, same bytes).
    """
    rejects: Counter = Counter()
    valid = []
    for row in rows:
        checked = validate_row(row)
        if isinstance(checked, str):
            rejects[checked] += 1
        else:
            valid.append(checked)
    valid.sort(key=row_key)
    unique, last_key = [], None
    for row in valid:
        key = row_key(row)
        if key != last_key:
            unique.append(row)
            last_key = key
    return CheckedRows(rows=unique, rejects=rejects, duplicates=len(valid) - len(unique))


def check_reject_ratio(rows: int, rejects: Counter, max_reject_ratio: float = DEFAULT_MAX_REJECT_RATIO) -> None:
    """ContractError when rejected rows exceed `max_reject_ratio` of the rows considered."""
    total = sum(rejects.values())
    considered = rows + total
    if considered and total / considered > max_reject_ratio:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(rejects.items()))
        raise ContractError(f"{total} of {considered} rows rejected "
                            f"({total / considered:.1%} > max_reject_ratio {max_reject_ratio:.1%}): {reasons}")

