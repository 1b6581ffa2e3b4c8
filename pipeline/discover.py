"""Which jobs to fetch: the jobs of activities in the webshop on the campaign date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from blocks.client import PortalClient, RequestStats
from contracts.payloads import Activity
from pipeline.payload_errors import parse_payload


@dataclass
class Discovery:
    portal: str
    jobs: dict[str, list[Activity]]  # job uuid -> its in-webshop activities, in the portal's order
    counts: Counter = field(default_factory=Counter)
    stats: dict = field(default_factory=dict)


def discover(client: PortalClient, day: dt.date, tz: dt.tzinfo, job_ids: list[str] | None = None) -> Discovery:
    stats = RequestStats()
    raw = client.activities_in_webshop(stats)
    counts: Counter = Counter()
    jobs: dict[str, list[Activity]] = {}
    wanted = set(job_ids) if job_ids else None
    for index, item in enumerate(raw):
        activity = parse_payload(Activity, item, f"portal {client.portal} activity #{index}")
        if not activity.starting:
            counts["activities_without_starting"] += 1
            continue
        if not activity.in_webshop_on(day, tz):
            counts["activities_not_in_webshop"] += 1
            continue
        if wanted is not None and activity.job.uuid not in wanted:
            continue
        jobs.setdefault(activity.job.uuid, []).append(activity)
    counts["jobs"] = len(jobs)
    return Discovery(portal=client.portal, jobs=jobs, counts=counts, stats=stats.as_dict())
