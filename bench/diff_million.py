"""Peak memory and time of `campaign-cli diff` on two large CSVs (default 1,000,000 rows each).

Writes a synthetic campaign CSV and a legacy-style variant (shuffled order, buyer
always No, a few rows missing) to a temp folder, runs the diff in this process,
prints rows/s and peak RSS. Run by hand: `python bench/diff_million.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time

from contracts.row import CSV_HEADER
from shadow.diff import diff_csv


def synthetic_row(n: int) -> list[str]:
    values = {c: "" for c in CSV_HEADER}
    values.update(portal="legacyphoto", job_uuid=f"job-{n // 500:05d}", job_name=f"Seniors {n // 500}",
                  subject_uuid=f"{n:08x}-0000-4000-8000-000000000000", external_id=f"EXT-{n}",
                  first_name="Ann", last_name="Lee", phone_number=f"+1212555{n % 100:02d}{n % 100:02d}",
                  email=f"a{n}@example.com", buyer="Yes" if n % 3 == 0 else "No", access_code=f"C{n:07d}",
                  url=f"https://legacyphoto.shop/gallery/{n:08x}", sms_marketing_consent="SUBSCRIBE",
                  sms_marketing_timestamp="2025-10-01T09:00:00-04:00", sms_transactional_consent="SUBSCRIBE",
                  sms_transactional_timestamp="2025-10-01T09:00:00-04:00", activity_uuid="act-1",
                  activity_name="Fall", registered_user="No", resolution_strategy="netlife-api-live")
    return [values[c] for c in CSV_HEADER]


def write(path: str, numbers, legacy: bool) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        buyer = CSV_HEADER.index("buyer")
        for n in numbers:
            row = synthetic_row(n)
            if legacy:
                row[buyer] = "No"
            writer.writerow(row)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diff-bench-") as tmp:
        new_path, legacy_path = os.path.join(tmp, "new.csv"), os.path.join(tmp, "legacy.csv")
        numbers = list(range(args.rows))
        write(new_path, numbers, legacy=False)
        random.Random(1).shuffle(numbers)
        write(legacy_path, (n for n in numbers if n % 1000), legacy=True)
        del numbers
        size = os.path.getsize(new_path) + os.path.getsize(legacy_path)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.monotonic()
        result = diff_csv(legacy_path, new_path)
        elapsed = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"diff of {args.rows:,} rows ({size / 2**20:,.0f} MiB of CSV): {elapsed:.1f} s, "
          f"{2 * args.rows / elapsed:,.0f} rows/s, peak RSS {peak:,.0f} MiB (before the diff: {rss_before:,.0f} MiB)")
    print(f"  only in new {result.only_in_new:,}, differing {result.differing_rows:,} "
          f"({dict(result.column_differences)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
