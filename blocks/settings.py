"""A portal's connection settings, from the environment or a Secrets Manager secret.

Credentials: the JSON secret named by NETLIFE_SECRET_ARN
(`{"username", "password", "timeout_s"?, "rate_limit_per_sec"?}`), or, for local
runs, NETLIFE_USERNAME / NETLIFE_PASSWORD. Base URL: the NETLIFE_BASE_URL
template (default `https://{portal}.shop/api/v1`).
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field

from contracts.errors import ContractError, UpstreamError

DEFAULT_BASE_URL = "https://{portal}.shop/api/v1"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RATE_LIMIT_PER_SEC = 8.0
DEFAULT_MAX_IN_FLIGHT = 8


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    rate_limit_per_sec: float = DEFAULT_RATE_LIMIT_PER_SEC


@dataclass(frozen=True)
class PortalSettings:
    portal: str
    base_url: str
    credentials: Credentials
    rate_limit_per_sec: float
    max_in_flight: int
    timeout_s: float


def parse_secret(secret_string: str) -> Credentials:
    """The secret's JSON; a malformed secret is a contract error (its text is never echoed)."""
    try:
        data = json.loads(secret_string)
        return Credentials(
            username=str(data["username"]),
            password=str(data["password"]),
            timeout_s=float(data.get("timeout_s", DEFAULT_TIMEOUT_S)),
            rate_limit_per_sec=float(data.get("rate_limit_per_sec", DEFAULT_RATE_LIMIT_PER_SEC)),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ContractError(f"the Netlife secret is not the documented JSON ({type(exc).__name__})") from None


@functools.lru_cache(maxsize=8)
def load_secret(secret_arn: str) -> Credentials:
    """Read the secret once per process."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise UpstreamError(f"cannot read the Netlife secret ({code}): check secretsmanager:GetSecretValue "
                            "on NETLIFE_SECRET_ARN and the AWS credentials", retryable=False) from None
    except BotoCoreError as exc:
        raise UpstreamError(f"cannot read the Netlife secret ({type(exc).__name__}): check AWS credentials",
                            retryable=False) from None
    return parse_secret(answer["SecretString"])


def credentials_from_env() -> Credentials:
    env = os.environ
    if env.get("NETLIFE_SECRET_ARN"):
        return load_secret(env["NETLIFE_SECRET_ARN"])
    if env.get("NETLIFE_USERNAME") and env.get("NETLIFE_PASSWORD"):
        return Credentials(env["NETLIFE_USERNAME"], env["NETLIFE_PASSWORD"])
    raise ContractError("no portal credentials: set NETLIFE_SECRET_ARN, or NETLIFE_USERNAME and NETLIFE_PASSWORD")


def settings_from_env(portal: str) -> PortalSettings:
    """Settings for `portal`; NETLIFE_RATE_LIMIT_PER_SEC, NETLIFE_MAX_IN_FLIGHT, NETLIFE_TIMEOUT_S override."""
    env = os.environ
    creds = credentials_from_env()
    template = env.get("NETLIFE_BASE_URL") or DEFAULT_BASE_URL
    return PortalSettings(
        portal=portal,
        base_url=template.format(portal=portal).rstrip("/"),
        credentials=creds,
        rate_limit_per_sec=float(env.get("NETLIFE_RATE_LIMIT_PER_SEC") or creds.rate_limit_per_sec),
        max_in_flight=int(env.get("NETLIFE_MAX_IN_FLIGHT") or DEFAULT_MAX_IN_FLIGHT),
        timeout_s=float(env.get("NETLIFE_TIMEOUT_S") or creds.timeout_s),
    )
