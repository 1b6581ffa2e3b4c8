"""write_campaign: stream the CSV (header, then each job's block) and its manifest (or only hash, in dry-run)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.assemble import Campaign
from storage.csv_render import HEADER_LINE
from storage.destinations import Destination, publish


@dataclass(frozen=True)
class Written:
    csv_uri: str
    manifest_uri: str | None
    rows: int
    sha256: str
    bytes: int
    dry_run: bool


def manifest_bytes(manifest: dict, rows: int, destination: Destination, sha256: str, size: int) -> bytes:
    body = {**manifest, "row_count": rows, "sha256": sha256, "bytes": size, "csv": destination.uri}
    return json.dumps(body, indent=2, sort_keys=True).encode() + b"\n"


@task(name="write_campaign", cache_policy=NO_CACHE)
def write_campaign(campaign: Campaign, destination: Destination, manifest: dict, dry_run: bool) -> Written:
    digest, size = publish(destination, itertools.chain([HEADER_LINE], campaign.blocks()),
                           lambda sha, n: manifest_bytes(manifest, campaign.rows, destination, sha, n), dry_run)
    manifest_uri = None if destination.kind == "stdout" else destination.manifest.uri
    get_run_logger().info("campaign written" if not dry_run else "dry run: nothing written", extra={
        "event": "campaign_written", "dry_run": dry_run, "out": destination.uri, "rows": campaign.rows,
        "sha256": digest, "bytes": size})
    return Written(destination.uri, manifest_uri, campaign.rows, digest, size, dry_run)
