"""The project as operators run it: prefect.yaml deployed to a real Prefect server, a worker, the simulator.

The ECS pool cannot run here, so the deployments are deployed from a copy of the
project's prefect.yaml whose only changes are the work pool (a local process
pool, no ECS job variables) and the pull step (this checkout instead of the
image's path). The ECS side is checked separately, against moto.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.conftest import REFERENCE_DAY, ROOT, SIM_PORTALS, stop_process
from tests.expected import expected_rows

pytestmark = pytest.mark.e2e
NY = ZoneInfo("America/New_York")
POOL = "campaign-e2e"
DATE = REFERENCE_DAY.isoformat()


def prefect(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "prefect", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=os.environ.copy())
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def local_copy_of_prefect_yaml(path: Path) -> Path:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    config["pull"] = [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
    for deployment in config["deployments"]:
        deployment["work_pool"] = {"name": POOL, "work_queue_name": "default", "job_variables": {}}
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def deployed(prefect_server, _sim_server, tmp_path_factory):
    """Both deployments on a process pool, and a worker whose runs reach the simulator."""
    tmp = tmp_path_factory.mktemp("e2e")
    prefect("work-pool", "create", POOL, "--type", "process", "--overwrite")
    prefect("--no-prompt", "deploy", "--all", "--prefect-file", str(local_copy_of_prefect_yaml(tmp / "prefect.yaml")))
    env = {**os.environ, "NETLIFE_BASE_URL": _sim_server.base_url_template(), "NETLIFE_USERNAME": "sim",
           "NETLIFE_PASSWORD": "sim-password", "PORTALS": ",".join(SIM_PORTALS), "CAMPAIGN_OUT_DIR": str(tmp / "out"),
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1"}
    log = open(tmp / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield tmp
    finally:
        stop_process(worker)
        log.close()


def wait_for_final_state(flow_run_id, timeout: float = 240):
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run
            time.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {timeout} s")


def start_run(deployment: str, parameters: dict, scheduled_time: dt.datetime | None = None):
    from prefect import get_client
    from prefect.states import Scheduled

    with get_client(sync_client=True) as client:
        target = client.read_deployment_by_name(deployment)
        state = Scheduled(scheduled_time=scheduled_time) if scheduled_time else None
        return client.create_flow_run_from_deployment(target.id, parameters=parameters, state=state).id


def csv_rows(path: Path) -> dict:
    from tests.integration.test_flow import read_csv

    return read_csv(path)


def test_deployment_run_from_the_cli_writes_the_days_csv_and_manifest(deployed, sim, world):
    out = deployed / "on-demand" / DATE / "campaign.csv"
    done = prefect("deployment", "run", "build-campaign/on-demand", "--param", f"date={DATE}",
                   "--param", f"out={out}", "--watch", "--watch-timeout", "240")
    assert "Completed" in done.stdout, done.stdout[-2000:]
    assert (out.parent / "manifest.json").exists()
    assert csv_rows(out) == expected_rows(world, REFERENCE_DAY, NY)


def test_ui_retry_refetches_only_the_jobs_that_failed(deployed, sim, world):
    from prefect import get_client
    from prefect.states import AwaitingRetry

    failing = list(world.portals["legacyphoto"].jobs)[1]
    sim.app.fail_next(failing, 100_000, "5xx")
    out = deployed / "retry" / DATE / "campaign.csv"
    run_id = start_run("build-campaign/on-demand", {"date": DATE, "out": str(out), "retries": 1})
    failed = wait_for_final_state(run_id)
    assert failed.state.is_failed() and "UpstreamError" in (failed.state.message or "")
    assert not out.exists()
    before = dict(sim.app.stats.by_job)
    activities_before = sim.app.stats.requests["activities"]["200"]

    sim.app.fail_next(failing, 0)  # the portal recovers
    with get_client(sync_client=True) as client:  # what the UI's Retry button does
        client.set_flow_run_state(run_id, AwaitingRetry(scheduled_time=dt.datetime.now(dt.timezone.utc)), force=True)
    retried = wait_for_final_state(run_id)
    assert retried.state.is_completed(), retried.state.message
    assert retried.run_count >= 2

    after = dict(sim.app.stats.by_job)
    refetched = {job for job in after if after[job] != before.get(job)}
    assert refetched == {failing}, "completed jobs must come back Cached, not be fetched again"
    assert sim.app.stats.requests["activities"]["200"] == activities_before  # discovery was cached too

    clean = deployed / "clean" / DATE / "campaign.csv"
    clean_id = start_run("build-campaign/on-demand", {"date": DATE, "out": str(clean)})
    assert wait_for_final_state(clean_id).state.is_completed()
    assert out.read_bytes() == clean.read_bytes()
    assert sim.app.stats.by_job[failing] > after[failing]  # a new run fetches fresh data


def test_daily_schedule_runs_at_six_new_york_and_builds_its_scheduled_day(deployed, sim, world):
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        daily = client.read_deployment_by_name("build-campaign/daily")
        assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in daily.schedules] == \
            [("0 6 * * *", "America/New_York", True)]
        deadline = time.monotonic() + 60
        while True:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[daily.id])))
            scheduled = [r for r in runs if r.state and r.state.name == "Scheduled"]
            if scheduled or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert scheduled, "the scheduler created no runs for the daily deployment"
    for run in scheduled:
        local = run.expected_start_time.astimezone(NY)
        assert (local.hour, local.minute) == (6, 0)

    # A run scheduled for 06:00 on the reference day, started late, with no date: it builds its own day.
    due = dt.datetime.combine(REFERENCE_DAY, dt.time(6, 0), tzinfo=NY)
    run_id = start_run("build-campaign/daily", {}, scheduled_time=due)
    finished = wait_for_final_state(run_id)
    assert finished.state.is_completed(), finished.state.message
    out = deployed / "out" / DATE / "campaign.csv"
    assert csv_rows(out) == expected_rows(world, REFERENCE_DAY, NY)
