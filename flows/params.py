"""Flow parameters: validation and defaults, before any request is made (bad input is exit 10)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from contracts.errors import ContractError
from contracts.options import BuildOptions
from contracts.portals import check_portals, default_portals
from storage.destinations import Destination

JOB_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
MODES = ("production", "shadow", "dry-run")
SHADOW_PREFIX = "shadow"
DEFAULT_TZ = "America/New_York"


@dataclass(frozen=True)
class RunParams:
    day: dt.date
    tz: dt.tzinfo
    portals: list[str]
    job_ids: list[str] | None
    options: BuildOptions
    concurrency: int
    retries: int
    destination: Destination
    mode: str
    max_reject_ratio: float
    legacy_out: str | None = None

    def as_manifest(self) -> dict:
        return {
            "date": self.day.isoformat(), "portals": self.portals, "job_ids": self.job_ids,
            **self.options.model_dump(), "concurrency": self.concurrency, "retries": self.retries,
            "out": self.destination.uri, "mode": self.mode, "max_reject_ratio": self.max_reject_ratio,
            "legacy_out": self.legacy_out,
        }


def campaign_tz() -> dt.tzinfo:
    name = os.environ.get("CAMPAIGN_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContractError(f"CAMPAIGN_TZ={name!r} is not a time zone name") from None


def campaign_day(date: str | None, tz: dt.tzinfo, scheduled: dt.datetime | None = None) -> dt.date:
    """The given date, else the run's scheduled start date in `tz`, else today there."""
    if date:
        try:
            return dt.date.fromisoformat(date)
        except (TypeError, ValueError):
            raise ContractError(f"date must be YYYY-MM-DD, got {date!r}") from None
    moment = scheduled or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(tz).date()


def default_out(day: dt.date) -> str:
    """s3://$CAMPAIGN_BUCKET/campaigns/<date>/campaign.csv, else $CAMPAIGN_OUT_DIR (./out)/<date>/campaign.csv."""
    bucket = os.environ.get("CAMPAIGN_BUCKET")
    key = f"campaigns/{day.isoformat()}/campaign.csv"
    if bucket:
        return f"s3://{bucket}/{key}"
    return os.path.join(os.environ.get("CAMPAIGN_OUT_DIR") or "out", day.isoformat(), "campaign.csv")


def split_list(value: str | list[str] | None) -> list[str] | None:
    """`a,b` or ["a", "b,c"] -> ["a", "b", "c"]; empty -> None."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
    return parts or None


def resolve(*, date: str | None, portals, job_ids, audience: str, contact_filter: str,
            check_registered_users: bool, registered_only: bool, concurrency: int, retries: int,
            out: str | None, mode: str, max_reject_ratio: float, legacy_out: str | None = None,
            scheduled: dt.datetime | None = None) -> RunParams:
    tz = campaign_tz()
    day = campaign_day(date, tz, scheduled)
    chosen = check_portals(split_list(portals)) if split_list(portals) else default_portals()
    jobs = split_list(job_ids)
    bad = [j for j in jobs or [] if not JOB_ID.match(j)]
    if bad:
        raise ContractError(f"{len(bad)} job id(s) hold characters other than letters, digits and dashes")
    try:
        options = BuildOptions(audience=audience, contact_filter=contact_filter,
                               check_registered_users=check_registered_users, registered_only=registered_only)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) if e.get("loc") else e["msg"] for e in exc.errors()}))
        raise ContractError(f"invalid build options: {fields}") from None
    if mode not in MODES:
        raise ContractError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not 1 <= int(concurrency) <= 256:
        raise ContractError("concurrency must be between 1 and 256")
    if not 0 <= int(retries) <= 20:
        raise ContractError("retries must be between 0 and 20")
    if not 0 <= float(max_reject_ratio) <= 1:
        raise ContractError("max_reject_ratio must be between 0 and 1")
    try:
        destination = Destination.parse(out or default_out(day))
    except ValueError as exc:
        raise ContractError(str(exc)) from None
    if mode == "shadow":
        if destination.kind == "stdout":
            raise ContractError("shadow mode writes a file: give --out a path or s3:// URI")
        destination = destination.with_prefix(SHADOW_PREFIX)  # never the production key
    if legacy_out and mode != "shadow":
        raise ContractError("legacy_out is for shadow mode only")
    return RunParams(day=day, tz=tz, portals=chosen, job_ids=jobs, options=options,
                     concurrency=int(concurrency), retries=int(retries), destination=destination,
                     mode=mode, max_reject_ratio=float(max_reject_ratio), legacy_out=legacy_out or None)
