"""Result caching for UI retries: a retried flow run reuses the jobs it already fetched.

Only deployment runs can be retried from the UI (`AwaitingRetry` on the same flow
run), so only they persist results, and the key holds the flow run id: a retry
of the run finds its finished jobs `Cached`, while a new run of the same day
fetches fresh data. Persisted results hold contact data: in production they go
to the encrypted, expiring S3 bucket named by PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK.
"""

from __future__ import annotations

import hashlib
import json

from prefect.cache_policies import CacheKeyFnPolicy
from prefect.context import TaskRunContext
from prefect.runtime import deployment


def run_scoped_key(context: TaskRunContext, parameters: dict) -> str:
    """flow run / task / portal / job / day / options: the same work of the same run, nothing else."""
    options = parameters.get("options")
    options_json = options.model_dump_json() if options is not None else ""
    job_ids = parameters.get("job_ids") or parameters.get("job_id") or ""
    parts = [str(context.task_run.flow_run_id), context.task.name, parameters.get("portal", ""),
             json.dumps(job_ids), str(parameters.get("day", "")), options_json]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


RUN_SCOPED = CacheKeyFnPolicy(cache_key_fn=run_scoped_key)


def reuse_on_retry() -> dict:
    """Task options for this flow run: cache and persist in deployment runs, neither otherwise."""
    if deployment.id:
        return {"cache_policy": RUN_SCOPED, "persist_result": True}
    return {}
