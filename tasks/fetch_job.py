"""fetch_job: one job's rows. Prefect retries it on upstream errors only, never on contract errors."""

from __future__ import annotations

import datetime as dt
import os

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from contracts.errors import UpstreamError
from contracts.options import BuildOptions
from contracts.payloads import Activity
from pipeline.fetch import JobResult, fetch_job_rows
from tasks.portals import portal_client


def retry_upstream_only(task, task_run, state) -> bool:
    """Prefect retry condition: retry a job only when a portal failed in a way worth retrying."""
    try:
        state.result()
    except UpstreamError as exc:
        return exc.retryable
    except Exception:
        return False
    return False


def retry_delays(retries: int) -> list[float]:
    """Exponential delays between job attempts; CAMPAIGN_TASK_RETRY_DELAY_S is the first (default 10)."""
    base = float(os.environ.get("CAMPAIGN_TASK_RETRY_DELAY_S", "10"))
    return [base * 2**i for i in range(max(retries, 1))]


@task(name="fetch_job", task_run_name="fetch-{portal}-{job_id}", retry_condition_fn=retry_upstream_only,
      retry_jitter_factor=0.5, cache_policy=NO_CACHE)
def fetch_job(portal: str, job_id: str, day: dt.date, activities: list[Activity], options: BuildOptions) -> JobResult:
    """One job's rows for the campaign `day` (the activities are that day's in-webshop ones)."""
    result = fetch_job_rows(portal_client(portal), job_id, activities, options)
    get_run_logger().info("job done", extra={"event": "job_done", "portal": portal, "job": job_id,
                                             **dict(result.counts), **result.stats})
    return result
