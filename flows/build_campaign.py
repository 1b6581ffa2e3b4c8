"""The `build-campaign` flow: discover jobs, fetch them in parallel, check the contract, write the CSV.

The CLI (`campaign-cli build`) and the deployments run this same flow.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import itertools
import time
from collections import Counter, defaultdict

from prefect import flow, get_run_logger, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from blocks.client import request_totals
from contracts.checks import DEFAULT_MAX_REJECT_RATIO
from contracts.errors import CampaignError, ContractError, StorageError, UpstreamError
from contracts.row import CSV_HEADER
from flows.params import RunParams, resolve
from pipeline.fetch import JobResult
from tasks.caching import reuse_on_retry
from tasks.check_contract import check_contract
from tasks.discover_jobs import discover_jobs
from tasks.fetch_job import fetch_job, retry_delays
from tasks.shadow_diff import shadow_diff
from tasks.write_campaign import Written, write_campaign

PORTAL_COUNTS = ("jobs", "rows", "buyers", "non_buyers", "rejects", "skipped_no_access_key")
# When several jobs fail differently, the run fails with the error operators must act on first.
SEVERITY = (ContractError, StorageError, UpstreamError)


def package_version() -> str:
    try:
        return importlib.metadata.version("sms-campaign-builder")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _scheduled_start() -> dt.datetime | None:
    """The flow run's scheduled start (a cron run builds its own day, even when retried later)."""
    try:
        return flow_run.scheduled_start_time
    except Exception:  # outside a run, or no API: fall back to now
        return None


def settle(futures) -> tuple[list, list[BaseException]]:
    """Wait for every future; results of the completed, exceptions of the rest (nothing left Pending)."""
    results, errors = [], []
    for future in futures:
        future.wait()
        state = future.state
        if state.is_completed():
            results.append(future.result())
        else:
            error = state.result(raise_on_failure=False)
            errors.append(error if isinstance(error, BaseException) else UpstreamError(f"task ended {state.name}"))
    return results, errors


def interleave(per_portal: list[list]) -> list:
    """Round-robin over the portals, so the jobs in flight keep every portal busy at once."""
    return [item for group in itertools.zip_longest(*per_portal) for item in group if item is not None]


def raise_worst(errors: list[BaseException], total: int, what: str) -> None:
    """One exception for the run: its class is the most urgent one; its message counts them all."""
    if not errors:
        return
    kinds = Counter(type(e).__name__ for e in errors)
    worst = next((e for cls in SEVERITY for e in errors if isinstance(e, cls)), errors[0])
    summary = ", ".join(f"{name}×{n}" for name, n in sorted(kinds.items()))
    message = f"{len(errors)} of {total} {what} failed ({summary}); first {type(worst).__name__}: {worst}"
    if isinstance(worst, CampaignError):
        raise type(worst)(message) from None
    raise RuntimeError(message) from worst


def per_portal_counts(params: RunParams, results: list[JobResult]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for portal in params.portals:
        table[portal]  # every requested portal gets a line, even with no work
    for result in results:
        counts = table[result.portal]
        counts["jobs"] += 1
        counts["rows"] += result.rows
        counts["buyers"] += result.counts.get("buyers", 0)
        counts["non_buyers"] += result.counts.get("non_buyers", 0)
        counts["skipped_no_access_key"] += result.counts.get("skipped_no_access_key", 0)
        counts["rejects"] += sum(result.rejects().values())
    return {portal: {k: table[portal][k] for k in PORTAL_COUNTS} for portal in sorted(table)}


@flow(name="build-campaign", log_prints=False, validate_parameters=False)
def build_campaign(
    date: str | None = None,
    portals: list[str] | None = None,
    job_ids: list[str] | None = None,
    audience: str = "both",
    contact_filter: str = "phone-only",
    check_registered_users: bool = True,
    registered_only: bool = False,
    concurrency: int = 8,
    retries: int = 3,
    out: str | None = None,
    mode: str = "production",
    max_reject_ratio: float = DEFAULT_MAX_REJECT_RATIO,
    legacy_out: str | None = None,
) -> dict:
    """Build one day's SMS audience CSV. Fails with ContractError / UpstreamError / StorageError."""
    started = time.monotonic()
    totals_before = request_totals()
    logger = get_run_logger()
    params = resolve(date=date, portals=portals, job_ids=job_ids, audience=audience,
                     contact_filter=contact_filter, check_registered_users=check_registered_users,
                     registered_only=registered_only, concurrency=concurrency, retries=retries, out=out,
                     mode=mode, max_reject_ratio=max_reject_ratio, legacy_out=legacy_out,
                     scheduled=_scheduled_start())
    logger.info("campaign started", extra={"event": "campaign_started", "date": params.day.isoformat(),
                                           "portals": params.portals, "mode": params.mode})

    tz_name = getattr(params.tz, "key", "UTC")
    reuse = reuse_on_retry()  # a UI retry of this run skips the work it already finished
    discover = discover_jobs.with_options(**reuse)
    discovered, errors = settle([discover.submit(p, params.day, tz_name, params.job_ids) for p in params.portals])
    raise_worst(errors, len(params.portals), "portal discoveries")
    work = interleave([[(d.portal, job, acts) for job, acts in d.jobs.items()] for d in discovered])
    if params.job_ids:
        found = {job for _, job, _ in work}
        missing = [j for j in params.job_ids if j not in found]
        if missing:
            logger.warning("requested jobs have no activity in the webshop on the date", extra={
                "event": "jobs_not_found", "jobs": missing})

    fetch = fetch_job.with_options(retries=params.retries, retry_delay_seconds=retry_delays(params.retries), **reuse)
    with ThreadPoolTaskRunner(max_workers=params.concurrency) as runner:
        futures = runner.map(fetch, {"portal": [w[0] for w in work], "job_id": [w[1] for w in work],
                                     "day": unmapped(params.day), "activities": [w[2] for w in work],
                                     "options": unmapped(params.options)})
        results, errors = settle(futures)
    raise_worst(errors, len(work), "jobs")

    campaign = check_contract(results, params.max_reject_ratio)
    counts = per_portal_counts(params, results)
    totals = request_totals()
    requests = totals["requests"] - totals_before["requests"]  # failed task attempts included
    retries_seen = totals["retries"] - totals_before["retries"]
    manifest = {
        "header": list(CSV_HEADER), "parameters": params.as_manifest(), "per_portal": counts,
        "rejects": dict(sorted(campaign.rejects.items())), "duplicates_removed": campaign.duplicates,
        "flow_run_id": str(flow_run.id) if flow_run.id else None, "version": package_version(),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    written: Written = write_campaign(campaign, params.destination, manifest, params.mode == "dry-run")

    summary = {
        "rows_out": written.rows, "latency_ms_total": round((time.monotonic() - started) * 1000),
        "requests": requests, "retries": retries_seen, "per_portal": counts,
        "rejects": dict(sorted(campaign.rejects.items())), "duplicates_removed": campaign.duplicates,
    }
    logger.info("campaign summary", extra={"event": "summary", **summary})
    _publish_artifacts(params, written, counts)
    if params.legacy_out:
        summary["shadow_diff"] = shadow_diff(params.legacy_out, written.csv_uri)
    logger.info("campaign complete", extra={"event": "campaign_complete", "contact_count": written.rows,
                                            "out": written.csv_uri, "dry_run": written.dry_run})
    return {**summary, "date": params.day.isoformat(), "out": written.csv_uri,
            "manifest": written.manifest_uri, "sha256": written.sha256, "dry_run": written.dry_run}


def _publish_artifacts(params: RunParams, written: Written, counts: dict) -> None:
    table = [{"portal": portal, **values} for portal, values in counts.items()]
    create_table_artifact(table, key="campaign-counts", description=f"Per-portal counts for {params.day}")
    verb = "Would write" if written.dry_run else "Wrote"
    manifest = f"\n- manifest: `{written.manifest_uri}`" if written.manifest_uri and not written.dry_run else ""
    create_markdown_artifact(
        f"# Campaign {params.day} ({params.mode})\n\n{verb} **{written.rows} rows** to `{written.csv_uri}`"
        f"{manifest}\n- sha256: `{written.sha256}`\n",
        key="campaign-output", description=f"Output of the {params.day} campaign")
