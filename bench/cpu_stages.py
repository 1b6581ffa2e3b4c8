"""S4: the contract check and CSV write of synthetic rows, no portal, in this process.

Rows come in jobs of 500 like a real run's: each job's rows are checked and
rendered (what `fetch_job` does after its requests), then the campaign is
assembled and streamed to a local file (what `check_contract` and
`write_campaign` do). Only those stages are timed; peak RSS is the whole process.

    python bench/cpu_stages.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.row import CSV_HEADER  # noqa: E402
from pipeline.assemble import assemble  # noqa: E402
from portal_sim.data import FIRST_NAMES, GROUPS, JOB_WORDS, LAST_NAMES  # noqa: E402
from pipeline.fetch import checked_job  # noqa: E402
from storage.csv_render import HEADER_LINE  # noqa: E402
from storage.destinations import Destination, publish  # noqa: E402

ROWS_PER_JOB = 500


PLAIN_FIRST = ("Ava", "Liam", "Noah", "Emma", "Mia", "Ethan", "Zoë", "José")
PLAIN_LAST = ("Smith", "Garcia", "Lee", "Müller", "Okafor", "Dubois", "Nguyen", "Brown")
PLAIN_JOBS = ("Spring Portraits", "Band and Choir", "Élan Dance", "Picture Day")


def synthetic_job(job: int, rows: int, awkward_share: float = 0.1) -> list[dict[str, str]]:
    """Rows as fetch_job builds them (seeded). A share of jobs and rows take the simulator's awkward
    vocabulary (commas, quotes, newlines, formula-like names): 1.0 is the simulator's own mix."""
    rng = random.Random(job)
    job_uuid = f"{job:08x}-0000-4000-8000-000000000000"
    job_name = f"{rng.choice(JOB_WORDS if rng.random() < awkward_share else PLAIN_JOBS)} {job}"
    out = []
    for n in range(rows):
        subject = f"{job:04x}{n:04x}-1111-4000-8000-000000000000"
        code = f"C{job:04d}{n:04d}"
        awkward = rng.random() < awkward_share
        first = rng.choice(FIRST_NAMES if awkward else PLAIN_FIRST)
        last = rng.choice(LAST_NAMES if awkward else PLAIN_LAST)
        out.append(dict(zip(CSV_HEADER, (
            "legacyphoto", job_uuid, job_name, subject, f"EXT-{n}", first, last, f"{rng.choice(PLAIN_FIRST)} {last}",
            f"+1212555{n % 100:04d}", "", f"p{n}@example.com", "", "US", rng.choice(GROUPS) if awkward else "Grade 2",
            "Yes" if n % 3 == 0 else "No", code, f"https://legacyphoto.shop/gallery/{subject}",
            f"https://legacyphoto.shop/?code={code}", "SUBSCRIBE", "2025-10-01T09:00:00-04:00", "SUBSCRIBE",
            "2025-10-01T09:00:00-04:00", f"{job:08x}-2222-4000-8000-000000000000", f"{job_name} – online sales 1",
            "No", "", "", "netlife-api-live"))))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--awkward-share", type=float, default=0.1,
                        help="share of rows (and jobs) with the simulator's awkward values; 1.0 = all")
    parser.add_argument("--dir", help="where the CSV is written (default: the temp folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    staged, jobs, check_s = 0, [], 0.0
    job = 0
    while staged < args.rows:
        rows = synthetic_job(job, min(ROWS_PER_JOB, args.rows - staged), args.awkward_share)
        started = time.perf_counter()
        jobs.append(checked_job("legacyphoto", rows[0]["job_uuid"], rows, Counter(), {}))
        check_s += time.perf_counter() - started
        staged += len(rows)
        job += 1
    with tempfile.TemporaryDirectory(prefix="campaign-s4-", dir=args.dir) as tmp:
        started = time.perf_counter()
        campaign = assemble(jobs)
        sha, size = publish(Destination.parse(f"{tmp}/campaign.csv"), [HEADER_LINE, *campaign.blocks()],
                            lambda digest, n: json.dumps({"sha256": digest, "bytes": n}).encode())
        write_s = time.perf_counter() - started
    timed = check_s + write_s
    figures = {"rows": campaign.rows, "awkward_share": args.awkward_share, "seconds": round(timed, 2),
               "check_render_s": round(check_s, 2), "assemble_write_s": round(write_s, 2),
               "rows_per_s": round(campaign.rows / timed),
               "bytes": size, "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(json.dumps(figures) if args.json else
          f"S4: {figures['rows']:,} rows checked and written in {timed:.1f} s = {figures['rows_per_s']:,} rows/s "
          f"(check+render {check_s:.1f} s, assemble+write {write_s:.1f} s), "
          f"{size / 2**20:,.0f} MiB of CSV, peak RSS {figures['peak_rss_mib']} MiB "
          f"(awkward share {args.awkward_share})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
