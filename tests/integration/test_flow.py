"""The flow against the simulator over loopback, with a real Prefect server, checked against ground truth."""

from __future__ import annotations

import csv
import json
import logging
from zoneinfo import ZoneInfo

import pytest

from contracts.errors import ContractError, UpstreamError
from contracts.row import CSV_HEADER, ROW_KEY
from flows.build_campaign import build_campaign
from tests.conftest import REFERENCE_DAY
from tests.expected import expected_rows, pii_values

NY = ZoneInfo("America/New_York")
pytestmark = pytest.mark.usefixtures("prefect_server")


def read_csv(path) -> dict[tuple, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == CSV_HEADER
        rows = list(reader)
    keys = [tuple(r[k] for k in ROW_KEY) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "sorted on the key, no duplicates"
    return {k: r for k, r in zip(keys, rows)}


def run(tmp_path, **params) -> tuple[dict, dict]:
    out = tmp_path / "campaign.csv"
    summary = build_campaign(date=REFERENCE_DAY.isoformat(), out=str(out), **params)
    return summary, read_csv(out)


def assert_no_pii(text: str, world) -> None:
    leaked = sorted(v for v in pii_values(world) if v in text)
    assert not leaked, f"{len(leaked)} PII values in logs"


def test_default_build_matches_ground_truth_and_is_byte_identical(portal_env, world, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    summary, rows = run(tmp_path)
    expected = expected_rows(world, REFERENCE_DAY, NY)
    assert rows == expected and len(rows) > 50
    first_bytes = (tmp_path / "campaign.csv").read_bytes()

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["row_count"] == len(rows) == summary["rows_out"]
    assert manifest["header"] == list(CSV_HEADER) and manifest["sha256"] == summary["sha256"]
    assert manifest["parameters"]["date"] == "2025-10-31" and manifest["flow_run_id"]
    assert set(manifest["per_portal"]) == {"nowandforeverphoto", "legacyphoto"}
    assert sum(p["rows"] for p in manifest["per_portal"].values()) == len(rows)
    assert manifest["rejects"].get("invalid_phone", 0) >= 1

    # The legacy defects are gone: buyers say Yes, quoting survives commas/quotes/newlines.
    assert {r["buyer"] for r in rows.values()} == {"Yes", "No"}
    assert any("\n" in r["last_name"] or "," in r["job_name"] for r in rows.values())

    events = {getattr(r, "event", None) for r in caplog.records}
    assert {"job_done", "summary", "campaign_complete"} <= events
    summary_record = next(r for r in caplog.records if getattr(r, "event", None) == "summary")
    assert summary_record.rows_out == len(rows) and summary_record.requests > 0
    assert_no_pii("\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records), world)

    run(tmp_path)
    assert (tmp_path / "campaign.csv").read_bytes() == first_bytes


@pytest.mark.parametrize("params", [
    {"audience": "buyers"},
    {"audience": "non-buyers", "contact_filter": "email-only"},
    {"contact_filter": "any", "registered_only": True},
    {"check_registered_users": False},
], ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_options_match_ground_truth(portal_env, world, tmp_path, params):
    _, rows = run(tmp_path, **params)
    assert rows == expected_rows(world, REFERENCE_DAY, NY, **params)


def test_pagination_everywhere_and_job_ids(portal_env, world, tmp_path):
    portal_env.app.knobs.page_size = 4
    portal_env.app.knobs.users_page_size = 2
    job_ids = [list(world.portals["legacyphoto"].jobs)[0], list(world.portals["nowandforeverphoto"].jobs)[1]]
    _, rows = run(tmp_path, job_ids=job_ids)
    assert rows == expected_rows(world, REFERENCE_DAY, NY, job_ids=job_ids) and rows
    assert {k[1] for k in rows} <= set(job_ids)


def test_requests_are_what_the_api_forces(portal_env, world, tmp_path):
    summary, rows = run(tmp_path)
    stats = portal_env.app.stats.as_dict()
    assert stats["total"] == summary["requests"]
    assert "user" not in stats["requests"]  # no per-user calls: the row rules never need them
    jobs = sum(p["jobs"] for p in summary["per_portal"].values())
    assert stats["requests"]["job"] == {"200": jobs}
    assert stats["requests"]["subjects"] == {"200": 2 * jobs}


def test_dry_run_writes_nothing(portal_env, tmp_path):
    summary = build_campaign(date=REFERENCE_DAY.isoformat(), out=str(tmp_path / "c.csv"), mode="dry-run")
    assert summary["dry_run"] and summary["rows_out"] > 0 and list(tmp_path.iterdir()) == []


def test_transient_faults_are_absorbed_by_client_and_task_retries(portal_env, world, tmp_path):
    job = list(world.portals["legacyphoto"].jobs)[0]
    portal_env.app.fail_next(job, 5, "5xx")  # five failed attempts: the job's first try gives up
    summary, rows = run(tmp_path, retries=1)
    assert rows == expected_rows(world, REFERENCE_DAY, NY)
    assert summary["retries"] >= 4


def test_a_job_failing_past_its_retries_fails_the_run_with_nothing_written(portal_env, world, tmp_path):
    job = list(world.portals["legacyphoto"].jobs)[0]
    portal_env.app.fail_next(job, 1000, "reset")
    with pytest.raises(UpstreamError, match="1 of 8 jobs failed"):
        build_campaign(date=REFERENCE_DAY.isoformat(), out=str(tmp_path / "c.csv"), retries=1)
    assert list(tmp_path.iterdir()) == []


def test_too_many_rejects_is_a_contract_error_with_nothing_written(portal_env, tmp_path):
    with pytest.raises(ContractError, match="max_reject_ratio"):
        build_campaign(date=REFERENCE_DAY.isoformat(), out=str(tmp_path / "c.csv"), max_reject_ratio=0.0)
    assert list(tmp_path.iterdir()) == []


def test_a_payload_breaking_its_model_is_a_contract_error_not_retried(portal_env, world, tmp_path, monkeypatch):
    job = list(world.portals["legacyphoto"].jobs)[0]
    details = world.portals["legacyphoto"].jobs[job]
    monkeypatch.setitem(world.portals["legacyphoto"].jobs, job, {**details, "subjects": [{"uuid": "bad id!"}]})
    with pytest.raises(ContractError, match="breaks its model"):
        build_campaign(date=REFERENCE_DAY.isoformat(), out=str(tmp_path / "c.csv"), retries=3)
    assert portal_env.app.stats.by_job[job] == 1  # fetched once: a contract error is never retried


def test_shadow_mode_writes_only_under_shadow_and_publishes_the_diff(portal_env, tmp_path, caplog):
    from prefect.artifacts import Artifact

    from tests.legacy import legacy_csv, read_rows

    production = tmp_path / "reference" / "campaign.csv"
    build_campaign(date=REFERENCE_DAY.isoformat(), out=str(production))
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(legacy_csv(read_rows(production.read_text(encoding="utf-8"))), encoding="utf-8")

    caplog.set_level(logging.INFO)
    day = tmp_path / "campaigns" / "2025-10-31"
    summary = build_campaign(date=REFERENCE_DAY.isoformat(), out=str(day / "campaign.csv"), mode="shadow",
                             legacy_out=str(legacy))
    assert sorted(p.name for p in day.iterdir()) == ["shadow"]
    assert sorted(p.name for p in (day / "shadow").iterdir()) == ["campaign.csv", "manifest.json"]
    assert (day / "shadow" / "campaign.csv").read_bytes() == production.read_bytes()

    diff = summary["shadow_diff"]
    assert diff["equivalent"] is False and diff["legacy"]["malformed_rows"] > 0
    assert diff["column_differences"]["buyer"] > 0
    event = next(r for r in caplog.records if getattr(r, "event", None) == "shadow_diff")
    assert event.legacy["malformed_rows"] == diff["legacy"]["malformed_rows"]
    artifact = Artifact.get("shadow-diff")
    assert artifact is not None and "DIFFERENT" in artifact.data and "buyer=" in artifact.data
