"""One job's payloads to checked campaign rows, with the fewest requests the API allows.

Requests: job details, the subject list(s) the audience needs, the `/users`
pages when registered users are checked, and one access-key call per subject
that survived every other filter. The rows are checked against the contract
and rendered to CSV bytes here, so a run holds bytes, not row objects.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from blocks.client import PortalClient, RequestStats
from contracts.audience import build_rows, select_subjects
from contracts.checks import check_rows
from contracts.errors import ContractError
from contracts.options import BuildOptions
from contracts.payloads import AccessKey, Activity, JobDetails, Subject, UserLink
from pipeline.payload_errors import parse_payload
from storage.csv_render import render_rows


REJECTED = "rejected_"


@dataclass
class JobResult:
    portal: str
    job_id: str
    block: bytes  # the job's CSV lines (no header): checked, deduplicated, sorted on the key
    rows: int
    # buyers, non_buyers, skipped_no_access_key, duplicates, rejected_<reason>, filtered_<reason>
    counts: Counter = field(default_factory=Counter)
    stats: dict = field(default_factory=dict)  # requests, retries, request_ms_total

    def rejects(self) -> Counter:
        return Counter({k.removeprefix(REJECTED): v for k, v in self.counts.items() if k.startswith(REJECTED)})


def _parse_list(model, items: list, what: str) -> list:
    return [parse_payload(model, item, f"{what} #{i}") for i, item in enumerate(items)]


def fetch_job_rows(client: PortalClient, job_id: str, activities: list[Activity], options: BuildOptions) -> JobResult:
    stats = RequestStats()
    where = f"portal {client.portal} job {job_id}"
    details = parse_payload(JobDetails, client.job(job_id, stats), f"{where} details")
    if details.uuid != job_id:
        raise ContractError(f"{where} details answer for another job")
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
    return checked_job(client.portal, job_id, rows, counts, stats.as_dict())


def checked_job(portal: str, job_id: str, rows: list[dict[str, str]], counts: Counter, stats: dict) -> JobResult:
    """Check one job's rows against the contract and render them."""
    checked = check_rows(rows)
    counts = Counter(counts)
    counts.update({REJECTED + reason: n for reason, n in checked.rejects.items()})
    counts["duplicates"] = checked.duplicates
    counts["rows"] = len(checked.rows)
    return JobResult(portal=portal, job_id=job_id, block=render_rows(checked.rows), rows=len(checked.rows),
                     counts=counts, stats=stats)
