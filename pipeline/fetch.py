"""One job's payloads to campaign rows, with the fewest requests the API allows.

Requests: job details, the subject list(s) the audience needs, the `/users`
pages when registered users are checked, and one access-key call per subject
that survived every other filter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from blocks.client import PortalClient, RequestStats
from contracts.audience import build_rows, select_subjects
from contracts.options import BuildOptions
from contracts.payloads import AccessKey, Activity, JobDetails, Subject, UserLink
from pipeline.payload_errors import parse_payload


@dataclass
class JobResult:
    portal: str
    job_id: str
    rows: list[dict[str, str]]
    counts: Counter = field(default_factory=Counter)  # buyers, non_buyers, skipped_no_access_key, rejected_*, filtered_*
    stats: dict = field(default_factory=dict)  # requests, retries, request_ms_total


def _parse_list(model, items: list, what: str) -> list:
    return [parse_payload(model, item, f"{what} #{i}") for i, item in enumerate(items)]


def fetch_job_rows(client: PortalClient, job_id: str, activities: list[Activity], options: BuildOptions) -> JobResult:
    stats = RequestStats()
    where = f"portal {client.portal} job {job_id}"
    details = parse_payload(JobDetails, client.job(job_id, stats), f"{where} details")
    buyers = _parse_list(Subject, client.subjects(job_id, True, stats), f"{where} buyer") \
        if options.wants_buyers else []
    non_buyers = _parse_list(Subject, client.subjects(job_id, False, stats), f"{where} non-buyer") \
        if options.wants_non_buyers else []
    users = _parse_list(UserLink, client.job_users(job_id, stats), f"{where} user") \
        if options.check_registered_users else []

    selection = select_subjects(details, buyers, non_buyers, users, activities, options)
    keys = client.fan_out(lambda c: client.access_keys(job_id, c.subject.uuid, stats), selection.candidates)

    counts = Counter(selection.counts)
    rows: list[dict[str, str]] = []
    for candidate, raw_keys in zip(selection.candidates, keys):
        parsed = _parse_list(AccessKey, raw_keys, f"{where} access key")
        if not parsed:
            counts["skipped_no_access_key"] += 1
            continue
        counts["buyers" if candidate.buyer else "non_buyers"] += 1
        rows.extend(build_rows(client.portal, details, candidate, parsed[0].code))
    counts["rows"] = len(rows)
    return JobResult(portal=client.portal, job_id=job_id, rows=rows, counts=counts, stats=stats.as_dict())
