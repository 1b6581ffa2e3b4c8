"""`campaign-cli blocks register`: block types and documents from the environment, idempotently.

Documents (each only when its variables are set; re-running overwrites them):
- `aws-credentials/campaign`: region AWS_REGION, keys from the task role (none stored);
- `s3-bucket/campaign-output`: CAMPAIGN_BUCKET, folder campaigns/;
- `s3-bucket/campaign-results`: CAMPAIGN_RESULTS_BUCKET, folder results/ (task results: encrypted, expiring bucket);
- `aws-secret/netlife`: NETLIFE_SECRET_ARN;
- `netlife-portal/netlife-<portal>`: one per portal (PORTALS or the allow-list), reading that secret.
"""

from __future__ import annotations

import os

from contracts.portals import default_portals


def register_blocks() -> list[str]:
    """Register the types, save the documents; returns the slugs written."""
    from prefect_aws import AwsCredentials, AwsSecret, S3Bucket

    from blocks.netlife import NetlifePortal

    for block_type in (AwsCredentials, AwsSecret, S3Bucket, NetlifePortal):
        block_type.register_type_and_schema()

    env = os.environ
    written = []
    credentials = AwsCredentials(region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"))
    credentials.save("campaign", overwrite=True)
    written.append("aws-credentials/campaign")
    for name, variable, folder in (("campaign-output", "CAMPAIGN_BUCKET", "campaigns"),
                                   ("campaign-results", "CAMPAIGN_RESULTS_BUCKET", "results")):
        if env.get(variable):
            S3Bucket(bucket_name=env[variable], bucket_folder=folder, credentials=credentials).save(name, overwrite=True)
            written.append(f"s3-bucket/{name}")
    secret_arn = env.get("NETLIFE_SECRET_ARN")
    if secret_arn:
        AwsSecret(aws_credentials=credentials, secret_name=secret_arn).save("netlife", overwrite=True)
        written.append("aws-secret/netlife")
    for portal in default_portals():
        block = NetlifePortal(portal=portal, secret_arn=secret_arn,
                              base_url_template=env.get("NETLIFE_BASE_URL") or NetlifePortal.model_fields["base_url_template"].default)
        block.save(f"netlife-{portal}", overwrite=True)
        written.append(f"netlife-portal/netlife-{portal}")
    return written
