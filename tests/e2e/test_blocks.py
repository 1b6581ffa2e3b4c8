"""`campaign-cli blocks register` against a real Prefect server: the documents, idempotently."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def register(env: dict) -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "campaign-cli")
    done = subprocess.run([exe, "blocks", "register"], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_blocks_register_creates_the_documents_and_is_idempotent(prefect_server):
    from prefect_aws import S3Bucket

    from blocks.netlife import NetlifePortal

    env = {"AWS_REGION": "us-east-1", "CAMPAIGN_BUCKET": "sms-campaign-output",
           "CAMPAIGN_RESULTS_BUCKET": "sms-campaign-results", "PORTALS": "legacyphoto,nowandgen",
           "NETLIFE_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:netlife-AbCdEf"}
    first = register(env)
    assert first == ["aws-credentials/campaign", "s3-bucket/campaign-output", "s3-bucket/campaign-results",
                     "aws-secret/netlife", "netlife-portal/netlife-legacyphoto", "netlife-portal/netlife-nowandgen"]
    assert register(env) == first
    portal = NetlifePortal.load("netlife-legacyphoto")
    assert portal.portal == "legacyphoto" and portal.secret_arn == env["NETLIFE_SECRET_ARN"]
    results = S3Bucket.load("campaign-results")
    assert (results.bucket_name, results.bucket_folder) == ("sms-campaign-results", "results")
