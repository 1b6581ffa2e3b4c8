"""`make run`: a real campaign, end to end, on the embedded defaults.

Starts the portal simulator on a free loopback port, runs `campaign-cli build`
for today (in CAMPAIGN_TZ) against it with a temporary Prefect API, stops the
simulator, then prints where the CSV is and the summary from its manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

BIN = Path(sys.executable).parent


def main() -> int:
    today = dt.datetime.now(ZoneInfo(os.environ.get("CAMPAIGN_TZ", "America/New_York"))).date().isoformat()
    sim = subprocess.Popen([str(BIN / "portal-sim"), "serve", "--port", "0", "--reference-date", today],
                           stdout=subprocess.PIPE, text=True)
    try:
        url = sim.stdout.readline().strip().split("=", 1)[1]
        print(f"portal simulator at {url}", file=sys.stderr)
        env = {
            **os.environ,
            "NETLIFE_BASE_URL": url + "/{portal}/api/v1",
            "NETLIFE_USERNAME": "sim",
            "NETLIFE_PASSWORD": "sim-password",
            "NETLIFE_RATE_LIMIT_PER_SEC": os.environ.get("NETLIFE_RATE_LIMIT_PER_SEC", "50"),
            "PORTALS": "nowandforeverphoto,legacyphoto",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        env.pop("PREFECT_API_URL", None)  # a temporary local Prefect API
        env.pop("CAMPAIGN_BUCKET", None)  # local output
        log_path = Path("out") / today / "run.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "w") as log:
            done = subprocess.run([str(BIN / "campaign-cli"), "build", "--date", today], env=env,
                                  stdout=subprocess.PIPE, stderr=log, text=True)
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    if done.returncode != 0:
        print(f"campaign-cli failed with exit {done.returncode}; logs: {log_path}", file=sys.stderr)
        print(log_path.read_text().splitlines()[-1], file=sys.stderr)
        return done.returncode
    result = json.loads(done.stdout)
    manifest = json.loads(Path(result["manifest"]).read_text())
    print(f"CSV:      {result['out']}")
    print(f"manifest: {result['manifest']}")
    print(f"logs:     {log_path.resolve()} (JSON lines)")
    print(f"rows:     {manifest['row_count']}  sha256: {manifest['sha256'][:16]}…")
    print("per portal:")
    for portal, counts in manifest["per_portal"].items():
        print(f"  {portal:20} " + "  ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"rejects:  {manifest['rejects'] or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
