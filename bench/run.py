"""`make bench`: the real flow, through the CLI, against the simulator on loopback, measured against its bound.

A run's limit is the portal: with R requests, latency L, an allowed rate Q per
portal and C requests in flight, no client finishes faster than
max(R / Q, R * L / C) per portal. Efficiency = bound / wall, where wall is the
flow's own duration (`latency_ms_total` of its summary: Prefect start-up excluded).

    python bench/run.py                      # every scenario at the default scale
    python bench/run.py --scenario S2 --scale 0.2 --repeat 3

Prints one table (the median run of --repeat, by wall time); `--json` for machines.
Scenarios S1-S3 and S5 start `portal-sim serve` and run `campaign-cli build` in
subprocesses; S4 runs the contract check and CSV write of synthetic rows in a
child process (bench/cpu_stages.py). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DATE = "2025-10-31"
PORTALS = "nowandforeverphoto,legacyphoto"


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    jobs_per_portal: int = 0
    subjects_per_job: int = 0
    latency_ms: float = 0.0
    portal_rate: float | None = None  # the simulator's limit (429 beyond)
    portal_in_flight: int | None = None  # the simulator's cap (429 beyond)
    client_rate: float = 10_000.0  # what the client is told (NETLIFE_RATE_LIMIT_PER_SEC)
    client_in_flight: int = 16
    concurrency: int = 16
    rows: int = 0  # S4 only


SCENARIOS = {
    "S1": Scenario("S1", "latency-bound", 50, 100, 20.0, None, 16, 10_000.0, 16, 16),
    "S2": Scenario("S2", "rate-bound", 20, 50, 20.0, 50.0, None, 50.0, 16, 8),
    "S3": Scenario("S3", "rate unknown", 20, 50, 20.0, 50.0, None, 100.0, 16, 8),
    "S4": Scenario("S4", "CPU stages", rows=1_000_000),
    "S5": Scenario("S5", "orchestration", 100, 0, 0.0, None, None, 10_000.0, 16, 16),
}


@dataclass
class Result:
    scenario: str
    what: str
    requests: int = 0
    r429: int = 0
    retries: int = 0
    wall_s: float = 0.0
    bound_s: float = 0.0
    efficiency: float | None = None
    rows: int = 0
    rows_per_s: float = 0.0
    peak_rss_mib: float = 0.0
    ms_per_job: float | None = None


def scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


def start_simulator(s: Scenario, scale: float) -> tuple[subprocess.Popen, str]:
    args = [str(BIN / "portal-sim"), "serve", "--port", "0", "--seed", "42", "--reference-date", DATE,
            "--portals", PORTALS, "--jobs-per-portal", str(scaled(s.jobs_per_portal, scale)),
            "--subjects-per-job", str(s.subjects_per_job), "--latency-ms", str(s.latency_ms),
            "--invalid-phone-share", "0.01"]
    if s.portal_rate:
        args += ["--rate-limit", str(s.portal_rate)]
    if s.portal_in_flight:
        args += ["--max-in-flight", str(s.portal_in_flight)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip().split("=", 1)[1]


def run_cli(s: Scenario, url: str, workdir: str) -> tuple[dict, float]:
    """campaign-cli build in a child; its summary event and the peak RSS of its process tree (MiB)."""
    env = {**os.environ, "NETLIFE_BASE_URL": url + "/{portal}/api/v1", "NETLIFE_USERNAME": "sim",
           "NETLIFE_PASSWORD": "sim-password", "PORTALS": PORTALS, "NETLIFE_RATE_LIMIT_PER_SEC": str(s.client_rate),
           "NETLIFE_MAX_IN_FLIGHT": str(s.client_in_flight), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "CAMPAIGN_TZ": "America/New_York"}
    command = [str(BIN / "campaign-cli"), "build", "--date", DATE, "--concurrency", str(s.concurrency),
               "--out", os.path.join(workdir, s.name, "campaign.csv")]
    # A small parent measures its children's peak RSS (ru_maxrss of the largest reaped descendant).
    wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, text=True); "
               "sys.stdout.write(p.stderr); "
               "print('RSS_KIB=%d RC=%d' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode))")
    done = subprocess.run([sys.executable, "-c", wrapper, *command], env=env, capture_output=True, text=True,
                          timeout=1800)
    lines = done.stdout.splitlines()
    rss_kib, rc = (int(part.split("=")[1]) for part in lines[-1].split())
    if rc != 0:
        raise RuntimeError(f"{s.name}: campaign-cli exited {rc}: {lines[-2] if len(lines) > 1 else ''}")
    summary = next(json.loads(line) for line in lines if line.startswith("{") and '"event": "summary"' in line)
    return summary, rss_kib / 1024


def sim_stats(url: str) -> dict:
    import httpx

    return httpx.get(url + "/_sim/stats", timeout=10).json()


def bound_seconds(s: Scenario, stats: dict) -> float:
    """max over portals of max(R/Q, R*L/C), R = the requests the portal answered (429s excluded)."""
    per_portal = []
    share_429 = stats["rate_limited"] / max(stats["total"], 1)
    for portal, total in stats["by_portal"].items():
        answered = total * (1 - share_429)
        by_rate = answered / s.portal_rate if s.portal_rate else 0.0
        in_flight = s.portal_in_flight or s.client_in_flight
        by_latency = answered * (s.latency_ms / 1000) / in_flight
        per_portal.append(max(by_rate, by_latency))
    return max(per_portal, default=0.0)


def run_portal_scenario(s: Scenario, scale: float, workdir: str) -> Result:
    sim, url = start_simulator(s, scale)
    try:
        summary, rss = run_cli(s, url, workdir)
        stats = sim_stats(url)
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    wall = summary["latency_ms_total"] / 1000
    bound = bound_seconds(s, stats)
    jobs = sum(p["jobs"] for p in summary["per_portal"].values())
    return Result(
        scenario=s.name, what=s.what, requests=stats["total"], r429=stats["rate_limited"], retries=summary["retries"],
        wall_s=wall, bound_s=bound, efficiency=bound / wall if bound and wall else None, rows=summary["rows_out"],
        rows_per_s=summary["rows_out"] / wall if wall else 0.0, peak_rss_mib=rss,
        ms_per_job=1000 * wall / jobs if s.name == "S5" and jobs else None,
    )


def run_cpu_scenario(s: Scenario, scale: float) -> Result:
    rows = scaled(s.rows, scale)
    done = subprocess.run([sys.executable, str(HERE / "cpu_stages.py"), "--rows", str(rows), "--json"],
                          capture_output=True, text=True, timeout=1800, check=True)
    figures = json.loads(done.stdout.splitlines()[-1])
    return Result(scenario=s.name, what=s.what, wall_s=figures["seconds"], rows=figures["rows"],
                  rows_per_s=figures["rows_per_s"], peak_rss_mib=figures["peak_rss_mib"])


def median_run(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.wall_s)[len(results) // 2]


def render(results: list[Result]) -> str:
    head = (f"{'scenario':<22}{'R':>7}{'429s':>6}{'retries':>8}{'wall s':>8}{'bound s':>8}{'eff':>6}"
            f"{'rows/s':>10}{'RSS MiB':>8}{'ms/job':>8}")
    lines = [head, "-" * len(head)]
    for r in results:
        eff = f"{r.efficiency:.2f}" if r.efficiency is not None else "-"
        per_job = f"{r.ms_per_job:.1f}" if r.ms_per_job is not None else "-"
        bound = f"{r.bound_s:.2f}" if r.bound_s else "-"
        lines.append(f"{r.scenario + ' ' + r.what:<22}{r.requests:>7}{r.r429:>6}{r.retries:>8}{r.wall_s:>8.2f}"
                     f"{bound:>8}{eff:>6}{r.rows_per_s:>10,.0f}{r.peak_rss_mib:>8.0f}{per_job:>8}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="all", help="S1..S5, comma-separated, or all")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies job counts (and S4's rows)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario; the median is shown")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    names = list(SCENARIOS) if args.scenario == "all" else [n.strip().upper() for n in args.scenario.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as workdir:
        for name in names:
            s = SCENARIOS[name]
            runs = [run_cpu_scenario(s, args.scale) if name == "S4" else run_portal_scenario(s, args.scale, workdir)
                    for _ in range(max(1, args.repeat))]
            results.append(median_run(runs))
            if not args.json:
                print(render(results[-1:]).splitlines()[-1] if len(results) > 1 else render(results), flush=True)
    if args.json:
        print(json.dumps([asdict(r) for r in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
