"""Shared fixtures: a real Prefect server on loopback, the portal simulator, portal env vars.

PREFECT_* variables are set here, before Prefect is imported by any test module.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_HOME = tempfile.mkdtemp(prefix="campaign-tests-prefect-")
os.environ.update({
    "PREFECT_HOME": _HOME,
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_SETTINGS_PATH": str(ROOT / "flows" / "logging.yml"),
    "PREFECT_LOCAL_STORAGE_PATH": os.path.join(_HOME, "results"),
    "CAMPAIGN_TASK_RETRY_DELAY_S": "0",
    "NETLIFE_HTTP_BACKOFF_S": "0.01",
    "NETLIFE_HTTP_BACKOFF_CAP_S": "0.05",
    "NETLIFE_RATE_LIMIT_PER_SEC": "500",
    "CAMPAIGN_TZ": "America/New_York",
})
for leftover in ("PREFECT_API_URL", "CAMPAIGN_BUCKET", "NETLIFE_SECRET_ARN", "PORTALS", "NETLIFE_PORTAL_BLOCK_PREFIX"):
    os.environ.pop(leftover, None)

from portal_sim import PortalSimulator, WorldConfig, generate, run_in_thread  # noqa: E402

REFERENCE_DAY = dt.date(2025, 10, 31)
SIM_PORTALS = ("nowandforeverphoto", "legacyphoto")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server or worker this suite started: by PID, politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def aws(monkeypatch):
    """moto in-process with fake credentials: no call can reach real AWS."""
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture(scope="session")
def prefect_server():
    """`prefect server start` on 127.0.0.1 (SQLite in a temp home); stopped by PID at the end."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = open(os.path.join(_HOME, "server.log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
        # A fast scheduler loop so the e2e tests see a cron schedule create its runs.
        env={**os.environ, "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"},
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start; see {log.name}")
            time.sleep(0.5)
        os.environ["PREFECT_API_URL"] = url
        with temporary_settings({PREFECT_API_URL: url}):
            yield url
            from prefect.logging.handlers import APILogHandler

            APILogHandler().flush()  # ship queued run logs while the server still listens
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(proc)
        log.close()


@pytest.fixture(scope="session")
def world_config() -> WorldConfig:
    return WorldConfig(seed=11, reference_date=REFERENCE_DAY, portals=SIM_PORTALS, jobs_per_portal=4,
                       activities_per_job=3, subjects_per_job=25, invalid_phone_share=0.01)


@pytest.fixture(scope="session")
def world(world_config):
    return generate(world_config)


@pytest.fixture(scope="session")
def _sim_server(world):
    app = PortalSimulator(world)
    with run_in_thread(app) as running:
        yield running


@pytest.fixture
def sim(_sim_server):
    """The shared simulator, with knobs, faults and stats reset for each test."""
    _sim_server.app.reset()
    yield _sim_server


@pytest.fixture
def portal_env(sim, monkeypatch):
    """Point the client at the simulator and forget clients of earlier tests."""
    from blocks.client import close_clients

    monkeypatch.setenv("NETLIFE_BASE_URL", sim.base_url_template())
    monkeypatch.setenv("NETLIFE_USERNAME", "sim")
    monkeypatch.setenv("NETLIFE_PASSWORD", "sim-password")
    monkeypatch.setenv("PORTALS", ",".join(SIM_PORTALS))
    close_clients()
    yield sim
    close_clients()


@pytest.fixture(scope="session", autouse=True)
def _cleanup_home():
    yield
    shutil.rmtree(_HOME, ignore_errors=True)
