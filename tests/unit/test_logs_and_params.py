"""Redaction, hashed ids, and parameter validation (exit 10 before any request)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest

from contracts.errors import ContractError
from flows.logs import JsonLogFormatter, RedactFilter, hashed_id, redact
from flows.params import campaign_day, default_out, resolve, split_list

DEFAULTS = dict(date="2025-10-31", portals=None, job_ids=None, audience="both", contact_filter="phone-only",
                check_registered_users=True, registered_only=False, concurrency=8, retries=3, out=None,
                mode="production", max_reject_ratio=0.05)


@pytest.mark.parametrize("text", ["call (212) 555-0147 now", "+12125550147", "212.555.0147", "mail ann@example.com"])
def test_redact_masks_phones_and_emails(text):
    assert "555" not in redact(text) and "@" not in redact(text)


@pytest.mark.parametrize("text", ["job 6513270e-269e-4d37-b2a7-4de452e6b438", "2025-10-31T09:00:00-05:00",
                                  "latency 1234 ms", "hash:1a2b3c4d"])
def test_redact_keeps_ids_timestamps_and_counts(text):
    assert redact(text) == text


def test_hashed_id_is_hash_and_8_hex():
    ref = hashed_id("0cb1e29c-658c-4a14-95e6-0af593bd04cf")
    assert ref.startswith("hash:") and len(ref) == 13 and int(ref[5:], 16) >= 0


def test_json_handler_with_filter_emits_one_redacted_object_per_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("campaign.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("phone %s", "(212) 555-0147", extra={"event": "retry", "note": "bob@example.org", "n": 3})
        try:
            raise ValueError("bad +12125550147")
        except ValueError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    first = json.loads(lines[0])
    assert first["event"] == "retry" and first["n"] == 3 and first["level"] == "WARNING"
    assert "555" not in stream.getvalue() and "example.org" not in stream.getvalue()
    assert len([json.loads(line) for line in lines if line.startswith("{")]) == 2


def test_campaign_day_defaults_to_the_scheduled_day_in_the_zone():
    from zoneinfo import ZoneInfo

    scheduled = dt.datetime(2025, 11, 1, 3, 30, tzinfo=dt.timezone.utc)  # 23:30 on Oct 31 in New York
    assert campaign_day(None, ZoneInfo("America/New_York"), scheduled) == dt.date(2025, 10, 31)
    assert campaign_day("2025-10-30", ZoneInfo("America/New_York"), scheduled) == dt.date(2025, 10, 30)


def test_default_out_local_or_bucket(monkeypatch):
    monkeypatch.delenv("CAMPAIGN_BUCKET", raising=False)
    assert default_out(dt.date(2025, 10, 31)) == "out/2025-10-31/campaign.csv"
    monkeypatch.setenv("CAMPAIGN_BUCKET", "b")
    assert default_out(dt.date(2025, 10, 31)) == "s3://b/campaigns/2025-10-31/campaign.csv"


def test_split_list_accepts_repeats_and_commas():
    assert split_list(["J1,J2", "J3"]) == ["J1", "J2", "J3"] and split_list("a, b") == ["a", "b"]
    assert split_list([]) is None and split_list(None) is None


@pytest.mark.parametrize("change", [
    {"date": "31/10/2025"}, {"portals": ["legacyphoto", "evilportal"]}, {"job_ids": ["J1", "J2/../x"]},
    {"audience": "everyone"}, {"contact_filter": "pigeon"}, {"mode": "chaos"}, {"concurrency": 0},
    {"retries": -1}, {"max_reject_ratio": 2}, {"out": "s3://bucket"},
    {"registered_only": True, "check_registered_users": False},
    {"mode": "shadow", "out": "-"}, {"legacy_out": "legacy.csv"},
])
def test_bad_parameters_are_contract_errors(change):
    with pytest.raises(ContractError):
        resolve(**{**DEFAULTS, **change})


def test_shadow_mode_never_writes_the_production_key():
    params = resolve(**{**DEFAULTS, "mode": "shadow", "out": "s3://b/campaigns/2025-10-31/campaign.csv"})
    assert params.destination.uri == "s3://b/campaigns/2025-10-31/shadow/campaign.csv"


def test_portals_env_narrows_the_default(monkeypatch):
    monkeypatch.setenv("PORTALS", "legacyphoto,nowandgen")
    assert resolve(**DEFAULTS).portals == ["legacyphoto", "nowandgen"]
    monkeypatch.setenv("PORTALS", "nope")
    with pytest.raises(ContractError):
        resolve(**DEFAULTS)
