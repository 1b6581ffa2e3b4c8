"""write_campaign: render the CSV and publish it with its manifest (or only report, in dry-run)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from storage.csv_render import render_csv, sha256
from storage.destinations import Destination, publish


@dataclass(frozen=True)
class Written:
    csv_uri: str
    manifest_uri: str | None
    rows: int
    sha256: str
    bytes: int
    dry_run: bool


@task(name="write_campaign", cache_policy=NO_CACHE)
def write_campaign(rows: list[tuple[str, ...]], destination: Destination, manifest: dict, dry_run: bool) -> Written:
    data = render_csv(rows)
    digest = sha256(data)
    manifest_uri = None if destination.kind == "stdout" else destination.manifest.uri
    if not dry_run:
        body = {**manifest, "row_count": len(rows), "sha256": digest, "bytes": len(data), "csv": destination.uri}
        publish(destination, data, json.dumps(body, indent=2, sort_keys=True).encode() + b"\n")
    get_run_logger().info("campaign written" if not dry_run else "dry run: nothing written", extra={
        "event": "campaign_written", "dry_run": dry_run, "out": destination.uri, "rows": len(rows),
        "sha256": digest, "bytes": len(data)})
    return Written(destination.uri, manifest_uri, len(rows), digest, len(data), dry_run)
