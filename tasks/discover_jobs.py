"""discover_jobs: the jobs of one portal's activities in the webshop on the campaign date."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.discover import Discovery, discover
from tasks.portals import portal_client


@task(name="discover_jobs", task_run_name="discover-{portal}", retries=2, retry_delay_seconds=5,
      cache_policy=NO_CACHE)
def discover_jobs(portal: str, day: dt.date, tz_name: str, job_ids: list[str] | None) -> Discovery:
    from zoneinfo import ZoneInfo

    found = discover(portal_client(portal), day, ZoneInfo(tz_name), job_ids)
    get_run_logger().info("jobs discovered", extra={"event": "jobs_discovered", "portal": portal,
                                                     **dict(found.counts), **found.stats})
    return found
