"""`portal-sim serve`: the simulator as a loopback HTTP server (prints its address)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from portal_sim.app import DEFAULT_PASSWORD, DEFAULT_USERNAME, Knobs, PortalSimulator
from portal_sim.data import WorldConfig, generate
from portal_sim.server import bind_loopback, make_server


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="portal-sim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the simulated portals on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    serve.add_argument("--username", default=DEFAULT_USERNAME)
    serve.add_argument("--password", default=DEFAULT_PASSWORD)
    data = serve.add_argument_group("data (seeded: same values, same portal)")
    data.add_argument("--seed", type=int, default=7)
    data.add_argument("--reference-date", type=dt.date.fromisoformat, default=dt.date.today(),
                      help="activities are placed around this date (default today)")
    data.add_argument("--portals", default="nowandforeverphoto,legacyphoto", help="comma-separated portal keys")
    data.add_argument("--jobs-per-portal", type=int, default=4)
    data.add_argument("--activities-per-job", type=int, default=2)
    data.add_argument("--subjects-per-job", type=int, default=20)
    data.add_argument("--buyer-share", type=float, default=0.4)
    data.add_argument("--registered-share", type=float, default=0.3)
    data.add_argument("--no-access-key-share", type=float, default=0.1)
    data.add_argument("--no-phone-share", type=float, default=0.1)
    data.add_argument("--invalid-phone-share", type=float, default=0.02)
    behaviour = serve.add_argument_group("behaviour (changeable later: PATCH /_sim/knobs)")
    behaviour.add_argument("--latency-ms", type=float, default=0.0)
    behaviour.add_argument("--latency-jitter-ms", type=float, default=0.0)
    behaviour.add_argument("--rate-limit", type=float, default=None, help="requests/s per portal; 429 beyond")
    behaviour.add_argument("--max-in-flight", type=int, default=None, help="per portal; 429 beyond")
    behaviour.add_argument("--page-size", type=int, default=None, help="paginate activities and subject lists")
    behaviour.add_argument("--users-page-size", type=int, default=25)
    behaviour.add_argument("--slow-seconds", type=float, default=35.0)
    behaviour.add_argument("--fault-seed", type=int, default=0)
    behaviour.add_argument("--faults", type=json.loads, default={},
                           help='JSON: {"subjects": {"5xx": 0.1, "malformed": 0.05, "reset": 0.01, "slow": 0.01}}')
    return parser.parse_args(argv)


def build_app(args: argparse.Namespace) -> PortalSimulator:
    config = WorldConfig(
        seed=args.seed, reference_date=args.reference_date,
        portals=tuple(p for p in args.portals.split(",") if p),
        jobs_per_portal=args.jobs_per_portal, activities_per_job=args.activities_per_job,
        subjects_per_job=args.subjects_per_job, buyer_share=args.buyer_share,
        registered_share=args.registered_share, no_access_key_share=args.no_access_key_share,
        no_phone_share=args.no_phone_share, invalid_phone_share=args.invalid_phone_share,
    )
    knobs = Knobs()
    knobs.update({
        "latency_ms": args.latency_ms, "latency_jitter_ms": args.latency_jitter_ms,
        "rate_limit_per_sec": args.rate_limit, "max_in_flight": args.max_in_flight,
        "page_size": args.page_size, "users_page_size": args.users_page_size,
        "slow_seconds": args.slow_seconds, "fault_seed": args.fault_seed, "faults": args.faults,
    })
    return PortalSimulator(generate(config), knobs, args.username, args.password)


def main(argv=None) -> int:
    args = parse_args(argv)
    app = build_app(args)
    sock = bind_loopback(args.port)
    # The first stdout line is the address; scripts read it to find the server.
    print(f"PORTAL_SIM_URL=http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    make_server(app).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
