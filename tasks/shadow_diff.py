"""shadow_diff: compare the legacy CSV with this run's shadow CSV; publish counts as a log event and artifact."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact

from shadow.diff import diff_csv, render_report


@task(name="shadow_diff", cache_policy=NO_CACHE)
def shadow_diff(legacy_uri: str, new_uri: str) -> dict:
    result = diff_csv(legacy_uri, new_uri)
    counts = result.counts()
    get_run_logger().info("shadow diff", extra={"event": "shadow_diff", **counts})
    create_markdown_artifact(f"# Shadow diff\n\n```\n{render_report(result)}```\n", key="shadow-diff",
                             description="Legacy CSV against this run's shadow CSV (keys and columns only)")
    return counts
