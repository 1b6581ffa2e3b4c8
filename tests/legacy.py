"""Reproduce the legacy tool's output defects (PORTAL_API.md) from a correct campaign CSV.

- `buyer` is always `No`;
- fields are joined with bare commas (a value holding a comma, quote or newline breaks the row);
- a missing `starting` became the run's wall-clock time: here every 4th row gets "now";
- phones are written as the portal gave them, not E.164; no formula guard.
"""

from __future__ import annotations

import csv
import io

from contracts.row import CSV_HEADER


def read_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _raw_phone(e164: str) -> str:
    digits = e164[2:] if e164.startswith("+1") else e164
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else e164


def legacy_csv(rows: list[dict], now: str = "2025-10-31T06:00:03.123456") -> str:
    lines = [",".join(CSV_HEADER)]
    for i, row in enumerate(rows):
        row = dict(row)
        row["buyer"] = "No"
        if i % 4 == 0:
            row["sms_marketing_timestamp"] = row["sms_transactional_timestamp"] = now
        for column in ("phone_number", "phone_number_2"):
            row[column] = _raw_phone(row[column]) if row[column] else ""
        for column, value in row.items():
            if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
                row[column] = value[1:]
        lines.append(",".join(row[c] for c in CSV_HEADER))
    return "\n".join(lines) + "\n"

