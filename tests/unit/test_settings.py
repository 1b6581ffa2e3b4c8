"""Portal settings: Secrets Manager (moto), environment, and the NetlifePortal block."""

from __future__ import annotations

import json

import boto3
import pytest

from blocks.netlife import NetlifePortal
from blocks.settings import credentials_from_env, load_secret, settings_from_env
from contracts.errors import ContractError, UpstreamError


@pytest.fixture
def secrets(aws, monkeypatch):
    for name in ("NETLIFE_USERNAME", "NETLIFE_PASSWORD", "NETLIFE_BASE_URL",
                 "NETLIFE_RATE_LIMIT_PER_SEC", "NETLIFE_MAX_IN_FLIGHT", "NETLIFE_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    load_secret.cache_clear()
    yield boto3.client("secretsmanager")
    load_secret.cache_clear()


def test_secret_gives_credentials_timeout_and_rate(secrets, monkeypatch):
    arn = secrets.create_secret(Name="netlife", SecretString=json.dumps(
        {"username": "api", "password": "pw", "timeout_s": 12, "rate_limit_per_sec": 3}))["ARN"]
    monkeypatch.setenv("NETLIFE_SECRET_ARN", arn)
    settings = settings_from_env("legacyphoto")
    assert settings.base_url == "https://legacyphoto.shop/api/v1"
    assert (settings.credentials.username, settings.timeout_s, settings.rate_limit_per_sec) == ("api", 12, 3)
    assert "pw" not in repr(settings)


def test_secret_defaults_and_env_overrides(secrets, monkeypatch):
    arn = secrets.create_secret(Name="n2", SecretString=json.dumps({"username": "api", "password": "pw"}))["ARN"]
    monkeypatch.setenv("NETLIFE_SECRET_ARN", arn)
    monkeypatch.setenv("NETLIFE_RATE_LIMIT_PER_SEC", "20")
    monkeypatch.setenv("NETLIFE_BASE_URL", "http://127.0.0.1:9/{portal}/api/v1")
    settings = settings_from_env("nowandgen")
    assert (settings.timeout_s, settings.rate_limit_per_sec) == (30, 20)
    assert settings.base_url == "http://127.0.0.1:9/nowandgen/api/v1"


def test_malformed_secret_is_a_contract_error_that_does_not_echo_it(secrets, monkeypatch):
    arn = secrets.create_secret(Name="bad", SecretString='{"username": "api", "password"')["ARN"]
    monkeypatch.setenv("NETLIFE_SECRET_ARN", arn)
    with pytest.raises(ContractError) as caught:
        credentials_from_env()
    assert "password" not in str(caught.value)


def test_missing_secret_is_an_upstream_error_naming_the_permission(secrets, monkeypatch):
    monkeypatch.setenv("NETLIFE_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope")
    with pytest.raises(UpstreamError, match="secretsmanager:GetSecretValue"):
        credentials_from_env()


def test_no_credentials_at_all_is_a_contract_error(secrets, monkeypatch):
    monkeypatch.delenv("NETLIFE_SECRET_ARN", raising=False)
    with pytest.raises(ContractError, match="NETLIFE_SECRET_ARN"):
        credentials_from_env()


def test_netlife_portal_block_builds_settings(secrets):
    block = NetlifePortal(portal="westpointportraits", username="u", password="p", rate_limit_per_sec=2,
                          base_url_template="http://127.0.0.1:1/{portal}/api/v1/")
    settings = block.settings()
    assert settings.base_url == "http://127.0.0.1:1/westpointportraits/api/v1"
    assert (settings.rate_limit_per_sec, settings.timeout_s, settings.credentials.password) == (2, 30, "p")
