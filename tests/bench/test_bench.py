"""The benchmark keeps working: every scenario at a tiny scale. Figures are printed by hand runs, never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.usefixtures("prefect_server")  # the CLI runs against the test server instead of a temporary API
def test_every_scenario_runs_at_tiny_scale_and_reports_its_figures():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "0.02", "--json"], cwd=ROOT,
                          env=os.environ.copy(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["scenario"]: r for r in json.loads(done.stdout.splitlines()[-1])}
    assert list(results) == ["S1", "S2", "S3", "S4", "S5"]
    for name in ("S1", "S2", "S3"):
        r = results[name]
        assert r["requests"] > 0 and r["bound_s"] > 0 and r["efficiency"] > 0 and r["rows"] > 0
    assert results["S4"]["rows"] == 20_000 and results["S4"]["rows_per_s"] > 0 and results["S4"]["peak_rss_mib"] > 0
    assert results["S5"]["ms_per_job"] > 0
