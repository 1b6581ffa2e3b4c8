"""Requests/s one simulator process serves on loopback with zero latency.

Starts `portal-sim serve --port 0` as a subprocess, drives it from this process
with N threads of httpx (one keep-alive connection each, job-details requests), prints the figure.
Run by hand: `python bench/sim_throughput.py [--seconds 5] [--connections 32]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx


def drive(url: str, paths: list[str], seconds: float, connections: int) -> tuple[int, int]:
    """`connections` threads, each with its own keep-alive connection, until the deadline."""
    deadline = time.monotonic() + seconds

    def worker(i: int) -> tuple[int, int]:
        done = errors = 0
        with httpx.Client(base_url=url, auth=("sim", "sim-password")) as client:
            while time.monotonic() < deadline:
                errors += client.get(paths[(i + done) % len(paths)]).status_code != 200
                done += 1
        return done, errors

    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(worker, range(connections)))
    return sum(r[0] for r in results), sum(r[1] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "portal_sim", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().split("=", 1)[1]
        activities = httpx.get(f"{url}/nowandforeverphoto/api/v1/activities/search?status_id=in-webshop",
                               auth=("sim", "sim-password")).json()["data"]
        paths = [f"/nowandforeverphoto/api/v1/jobs/{a['job']['uuid']}" for a in activities]
        start = time.monotonic()
        done, errors = drive(url, paths, args.seconds, args.connections)
        elapsed = time.monotonic() - start
        print(f"simulator throughput: {done / elapsed:,.0f} requests/s "
              f"({done} requests in {elapsed:.1f} s, {errors} non-200, {args.connections} connections)")
        return 0 if errors == 0 else 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
