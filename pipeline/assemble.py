"""The campaign from its checked jobs: dataset-level contract checks and the global row order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from contracts.checks import DEFAULT_MAX_REJECT_RATIO, check_reject_ratio
from contracts.errors import ContractError
from pipeline.fetch import JobResult


@dataclass
class Campaign:
    jobs: list[JobResult]  # in (portal, job) order: their blocks, concatenated, are sorted on the key
    rows: int
    rejects: Counter
    duplicates: int

    def blocks(self):
        return (job.block for job in self.jobs)


def assemble(results: list[JobResult], max_reject_ratio: float = DEFAULT_MAX_REJECT_RATIO) -> Campaign:
    """Order the jobs, prove they are disjoint on the key, and enforce the reject ratio over the whole run.

    (The header is the contract's by construction: CampaignRow is checked against CSV_HEADER at
    import, and every built row's columns against it in validate_row.)
    """
    jobs = sorted(results, key=lambda r: (r.portal, r.job_id))
    seen = [(r.portal, r.job_id) for r in jobs]
    if len(set(seen)) != len(seen):
        raise ContractError("a job appears twice in the run: its rows would repeat keys")
    rejects: Counter = Counter()
    for job in jobs:
        rejects.update(job.rejects())
    rows = sum(job.rows for job in jobs)
    check_reject_ratio(rows, rejects, max_reject_ratio)
    return Campaign(jobs=jobs, rows=rows, rejects=rejects, duplicates=sum(j.counts.get("duplicates", 0) for j in jobs))
