"""check_contract: the dataset-level contract (reject ratio, disjoint jobs, header) over the checked jobs."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.assemble import Campaign, assemble
from pipeline.fetch import JobResult


@task(name="check_contract", cache_policy=NO_CACHE)
def check_contract(results: list[JobResult], max_reject_ratio: float) -> Campaign:
    campaign = assemble(results, max_reject_ratio)
    get_run_logger().info("contract checked", extra={
        "event": "contract_checked", "rows": campaign.rows, "duplicates": campaign.duplicates,
        "rejects": dict(campaign.rejects)})
    return campaign
