"""The portal client's behaviours, pinned with respx (one HTTP behaviour each)."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from blocks.client import PortalClient, RequestStats
from blocks.limiter import PortalLimiter
from blocks.retry import RetryPolicy
from blocks.settings import Credentials, PortalSettings
from contracts.errors import ContractError, UpstreamError

BASE = "https://legacyphoto.shop/api/v1"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    settings = PortalSettings("legacyphoto", BASE, Credentials("u", "p"), rate_limit_per_sec=1000,
                              max_in_flight=4, timeout_s=5)
    # The limiter keeps real time but must not really wait after a 429's pause.
    limiter = PortalLimiter(1000, 4, sleep=lambda seconds: None)
    c = PortalClient(settings, RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
                     limiter=limiter, sleep=sleeps.append)
    yield c
    c.close()


@respx.mock
def test_retry_after_is_honoured_then_success(client, sleeps, caplog):
    route = respx.get(f"{BASE}/jobs/J1").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"data": {"uuid": "J1"}})])
    stats = RequestStats()
    with caplog.at_level(logging.WARNING):
        assert client.job("J1", stats) == {"uuid": "J1"}
    assert route.call_count == 2 and sleeps == [7.0]
    assert stats.requests == 2 and stats.retries == 1
    retry = [r for r in caplog.records if getattr(r, "event", None) == "retry"]
    assert retry and retry[0].endpoint == "/jobs/{job}" and retry[0].error == "429" and retry[0].attempt == 1


@respx.mock
def test_retry_after_is_capped(client, sleeps):
    respx.get(f"{BASE}/jobs/J1").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={"uuid": "J1"})])
    client.job("J1", RequestStats())
    assert sleeps == [client.policy.retry_after_cap_s]


@respx.mock
def test_5xx_retried_then_upstream_error(client, sleeps):
    route = respx.get(f"{BASE}/jobs/J1").mock(return_value=httpx.Response(503))
    with pytest.raises(UpstreamError) as caught:
        client.job("J1", RequestStats())
    assert route.call_count == 3 and len(sleeps) == 2 and caught.value.retryable
    assert all(0 <= s <= 0.02 for s in sleeps)  # full jitter within the cap


@respx.mock
def test_malformed_json_retried_then_upstream_error(client):
    route = respx.get(f"{BASE}/jobs/J1").mock(return_value=httpx.Response(200, content=b'{"data": [tru'))
    with pytest.raises(UpstreamError, match="malformed_json"):
        client.job("J1", RequestStats())
    assert route.call_count == 3


@respx.mock
def test_connection_errors_are_retried(client):
    route = respx.get(f"{BASE}/jobs/J1").mock(side_effect=[
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200, json={"uuid": "J1"})])
    assert client.job("J1", RequestStats()) == {"uuid": "J1"}
    assert route.call_count == 3


@respx.mock
def test_auth_failure_is_not_retried(client, sleeps):
    route = respx.get(f"{BASE}/jobs/J1").mock(return_value=httpx.Response(401))
    with pytest.raises(UpstreamError, match="refused the credentials") as caught:
        client.job("J1", RequestStats())
    assert route.call_count == 1 and not sleeps and not caught.value.retryable


@respx.mock
def test_basic_auth_and_tls_verification(client):
    route = respx.get(f"{BASE}/jobs/J1").mock(return_value=httpx.Response(200, json={"uuid": "J1"}))
    client.job("J1", RequestStats())
    assert route.calls[0].request.headers["authorization"] == httpx.BasicAuth("u", "p")._auth_header
    assert client._http._transport._pool._ssl_context.verify_mode.name == "CERT_REQUIRED"


@respx.mock
def test_pagination_is_followed_in_every_form(client):
    respx.get(f"{BASE}/jobs/J1/users").mock(side_effect=[
        httpx.Response(200, json={"data": [{"n": 1}], "meta": {"next": f"{BASE}/jobs/J1/users?page=2"}}),
        httpx.Response(200, json={"data": [{"n": 2}], "meta": {"next": "/api/v1/jobs/J1/users?page=3"}}),
        httpx.Response(200, json={"data": [{"n": 3}], "next": "jobs/J1/users?page=4"}),
        httpx.Response(200, json={"data": [{"n": 4}], "meta": {"next": None}}),
    ])
    assert [u["n"] for u in client.job_users("J1", RequestStats())] == [1, 2, 3, 4]


@respx.mock
def test_a_next_link_to_another_host_is_refused(client):
    respx.get(f"{BASE}/jobs/J1/users").mock(return_value=httpx.Response(
        200, json={"data": [], "meta": {"next": "https://elsewhere.example/steal"}}))
    with pytest.raises(UpstreamError, match="leaves the portal"):
        client.job_users("J1", RequestStats())


@respx.mock
def test_bare_and_wrapped_payloads_and_access_key_404(client):
    respx.get(f"{BASE}/jobs/J1/subjects/S1/accesskeys").mock(return_value=httpx.Response(200, json=[{"key": "A"}]))
    respx.get(f"{BASE}/jobs/J1/subjects/S2/accesskeys").mock(return_value=httpx.Response(404))
    respx.get(f"{BASE}/jobs/J1/subjects/S3/accesskeys").mock(return_value=httpx.Response(200, json={"data": []}))
    stats = RequestStats()
    assert client.access_keys("J1", "S1", stats) == [{"key": "A"}]
    assert client.access_keys("J1", "S2", stats) == []
    assert client.access_keys("J1", "S3", stats) == []


@respx.mock
def test_a_list_endpoint_answering_an_object_is_a_contract_error(client):
    respx.get(f"{BASE}/jobs/J1/users").mock(return_value=httpx.Response(200, json={"data": {"oops": 1}}))
    with pytest.raises(ContractError):
        client.job_users("J1", RequestStats())


def test_limiter_paces_requests_and_pauses_after_429():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 6))
        now[0] += seconds

    limiter = PortalLimiter(rate_per_sec=4, max_in_flight=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with limiter.slot():
            pass
    assert slept == [0.25, 0.25]
    limiter.pause(2.0)
    with limiter.slot():
        pass
    assert round(now[0], 6) == 2.5  # 0.5 elapsed + a 2 s pause from then
