"""`campaign-cli`: run the same flow as the deployments, from a shell.

Exit codes: 0 ok, 10 contract (bad arguments or data), 20 upstream (portal),
30 storage (S3 or disk), 1 a bug. Errors are one line on stderr saying what to check.
`campaign-cli diff` exits 0 when the files are equivalent and 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

import flows  # noqa: F401  (logging config before Prefect loads)
from contracts.errors import CampaignError, ContractError
from contracts.row import ROW_KEY


class _Parser(argparse.ArgumentParser):
    """Argument errors are contract errors: exit 10, before any request."""

    def error(self, message: str):
        raise ContractError(f"invalid arguments: {message}")


def build_parser() -> argparse.ArgumentParser:
    from flows.build_campaign import package_version

    parser = _Parser(prog="campaign-cli", description="SMS campaign builder")
    parser.add_argument("--version", action="version", version=f"campaign-cli {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = sub.add_parser("build", help="build one day's campaign CSV")
    build.add_argument("--date", help="YYYY-MM-DD (default: today in CAMPAIGN_TZ)")
    build.add_argument("--portals", help="comma-separated portal keys (default: the allow-list, or PORTALS)")
    build.add_argument("--job-id", action="append", dest="job_ids", metavar="J1,J2",
                       help="only these jobs (repeatable, comma-separated)")
    audience = build.add_mutually_exclusive_group()
    audience.add_argument("--buyers", dest="audience", action="store_const", const="buyers")
    audience.add_argument("--non-buyers", dest="audience", action="store_const", const="non-buyers")
    audience.add_argument("--both", dest="audience", action="store_const", const="both")
    build.add_argument("--contact-filter", choices=("phone-only", "email-only", "any"), default="phone-only")
    build.add_argument("--check-registered-users", action=argparse.BooleanOptionalAction, default=True)
    build.add_argument("--registered-only", action="store_true")
    build.add_argument("--concurrency", type=int, default=8, help="jobs in flight (default 8)")
    build.add_argument("--retries", type=int, default=3, help="job retries on upstream errors (default 3)")
    build.add_argument("--max-reject-ratio", type=float, default=0.05)
    build.add_argument("--out", help="PATH, s3://bucket/key.csv or - for stdout")
    build.add_argument("--mode", choices=("production", "shadow", "dry-run"), default="production",
                       help="shadow writes under a shadow/ prefix beside the production key")
    build.add_argument("--legacy-out", help="shadow mode: the legacy CSV (path or s3://) to diff against")
    build.add_argument("--dry-run", action="store_const", dest="mode", const="dry-run",
                       help="same as --mode dry-run: write nothing, report what would be written")

    diff = sub.add_parser("diff", help="compare a legacy CSV with a new one, row by row on a key")
    diff.add_argument("legacy", help="legacy CSV: path or s3://bucket/key")
    diff.add_argument("new", help="new CSV: path or s3://bucket/key")
    diff.add_argument("--key", default=",".join(ROW_KEY), help="comma-separated key columns (default %(default)s)")
    diff.add_argument("--ignore-columns", default="", help="comma-separated columns not to compare")
    diff.add_argument("--normalize-phones", action=argparse.BooleanOptionalAction, default=True,
                      help="compare phone columns as E.164 (default on)")
    diff.add_argument("--ignore-formula-guard", action=argparse.BooleanOptionalAction, default=True,
                      help="treat a leading ' before =,+,-,@ as absent (default on)")
    diff.add_argument("--examples", type=int, default=5, help="examples per kind of difference")
    diff.add_argument("--json", action="store_true", help="print the result as JSON")

    blocks = sub.add_parser("blocks", help="Prefect blocks of this project")
    blocks_sub = blocks.add_subparsers(dest="blocks_command", required=True, parser_class=_Parser)
    blocks_sub.add_parser("register", help="register block types and create block documents from the environment "
                                           "(idempotent; see deployments/DEPLOY.md)")
    return parser


def run_blocks_register() -> int:
    from blocks.register import register_blocks

    for slug in register_blocks():
        print(slug)
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """0 equivalent, 1 different (10 / 30 raised as errors)."""
    from shadow.diff import DiffOptions, diff_csv, render_report

    key = tuple(c.strip() for c in args.key.split(",") if c.strip())
    if not key:
        raise ContractError("--key needs at least one column")
    options = DiffOptions(key=key, ignore_columns=frozenset(c.strip() for c in args.ignore_columns.split(",") if c.strip()),
                          normalize_phones=args.normalize_phones, ignore_formula_guard=args.ignore_formula_guard,
                          max_examples=args.examples)
    result = diff_csv(args.legacy, args.new, options)
    print(json.dumps(result.as_dict(), indent=2) if args.json else render_report(result), end="\n" if args.json else "")
    return 0 if result.equivalent else 1


def run_build(args: argparse.Namespace) -> dict:
    from flows.build_campaign import build_campaign
    from flows.params import resolve

    params = dict(date=args.date, portals=args.portals, job_ids=args.job_ids, audience=args.audience or "both",
                  contact_filter=args.contact_filter, check_registered_users=args.check_registered_users,
                  registered_only=args.registered_only, concurrency=args.concurrency, retries=args.retries,
                  out=args.out, mode=args.mode, max_reject_ratio=args.max_reject_ratio, legacy_out=args.legacy_out)
    resolve(**params)  # bad arguments fail here, before Prefect starts or a request is made
    return build_campaign(**params)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "diff":
            return run_diff(args)
        if args.command == "blocks":
            return run_blocks_register()
        summary = run_build(args)
    except CampaignError as exc:
        print(f"campaign-cli: {type(exc).__name__} (exit {exc.exit_code}): {exc}. {exc.action}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so, keep the traceback in the (redacted) JSON logs
        logging.getLogger("campaign.cli").exception("unexpected error", extra={"event": "crash"})
        print(f"campaign-cli: unexpected {type(exc).__name__} (exit 1): {CampaignError.action}", file=sys.stderr)
        return 1
    if summary["out"] != "-":
        print(json.dumps({"out": summary["out"], "manifest": summary["manifest"], "rows": summary["rows_out"],
                          "dry_run": summary["dry_run"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
