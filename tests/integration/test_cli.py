"""`campaign-cli` as operators run it: a real process, its exit codes, stdout, and PII-free JSON logs."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from flows import cli
from tests.conftest import REFERENCE_DAY
from tests.expected import pii_values

DATE = REFERENCE_DAY.isoformat()


def campaign_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("campaign-cli") or os.path.join(os.path.dirname(sys.executable), "campaign-cli")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def json_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


@pytest.mark.usefixtures("prefect_server")
def test_exit_0_writes_csv_and_logs_json_without_pii(portal_env, world, tmp_path):
    out = tmp_path / "day" / "campaign.csv"
    done = campaign_cli("build", "--date", DATE, "--out", str(out), "--concurrency", "4")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["out"] == str(out) and out.exists()
    events = json_lines(done.stderr)
    assert events and all({"timestamp", "level", "logger", "message"} <= set(e) for e in events)
    names = {e.get("event") for e in events}
    assert {"job_done", "summary", "campaign_complete"} <= names
    complete = next(e for e in events if e.get("event") == "campaign_complete")
    assert complete["contact_count"] == json.loads(done.stdout)["rows"]
    leaked = sorted(v for v in pii_values(world) if v in done.stderr)
    assert not leaked, f"{len(leaked)} PII values leaked into the logs"


@pytest.mark.usefixtures("prefect_server")
def test_out_dash_writes_the_csv_to_stdout_and_nothing_else(portal_env, tmp_path):
    done = campaign_cli("build", "--date", DATE, "--out", "-", "--portals", "legacyphoto", "--buyers")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.reader(io.StringIO(done.stdout, newline="")))
    assert rows[0][0] == "portal" and len(rows) > 1 and {r[0] for r in rows[1:]} == {"legacyphoto"}


@pytest.mark.parametrize("args", [
    ["build", "--date", "2025-02-30"],
    ["build", "--portals", "legacyphoto,notaportal"],
    ["build", "--job-id", "J1", "--job-id", "J2?x=1"],
    ["build", "--buyers", "--non-buyers"],
    ["build", "--concurrency", "many"],
    ["build", "--registered-only", "--no-check-registered-users"],
])
def test_exit_10_for_bad_arguments_before_any_request(portal_env, args):
    done = campaign_cli(*args)
    assert done.returncode == 10, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and "ContractError" in done.stderr
    assert portal_env.app.stats.total == 0


@pytest.mark.usefixtures("prefect_server")
def test_exit_20_when_the_portal_refuses_the_credentials(portal_env, tmp_path):
    done = campaign_cli("build", "--date", DATE, "--out", str(tmp_path / "c.csv"), env={"NETLIFE_PASSWORD": "wrong"})
    assert done.returncode == 20, done.stderr[-2000:]
    assert "check the Netlife secret" in done.stderr.splitlines()[-1]
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.usefixtures("prefect_server")
def test_exit_30_when_the_output_cannot_be_written(portal_env, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    done = campaign_cli("build", "--date", DATE, "--out", str(blocker / "campaign.csv"))
    assert done.returncode == 30, done.stderr[-2000:]
    assert "StorageError" in done.stderr.splitlines()[-1]


def test_exit_1_for_a_bug_with_a_one_line_message(monkeypatch, capsys):
    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "run_build", broken)
    assert cli.main(["build", "--date", DATE]) == 1
    assert "unexpected KeyError (exit 1)" in capsys.readouterr().err


def test_version():
    done = campaign_cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("campaign-cli ")
