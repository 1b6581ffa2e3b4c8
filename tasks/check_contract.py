"""check_contract: every row validated, duplicates removed, sorted; ContractError past the reject ratio."""

from __future__ import annotations

from collections import Counter

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from contracts.checks import CheckedRows, check_rows
from pipeline.fetch import JobResult

REJECT_PREFIX = "rejected_"


@task(name="check_contract", cache_policy=NO_CACHE)
def check_contract(results: list[JobResult], max_reject_ratio: float) -> CheckedRows:
    earlier: Counter = Counter()
    for result in results:
        for name, count in result.counts.items():
            if name.startswith(REJECT_PREFIX):
                earlier[name.removeprefix(REJECT_PREFIX)] += count
    checked = check_rows((row for r in results for row in r.rows), earlier, max_reject_ratio)
    get_run_logger().info("contract checked", extra={
        "event": "contract_checked", "rows": len(checked.rows), "duplicates": checked.duplicates,
        "rejects": dict(checked.rejects)})
    return checked
