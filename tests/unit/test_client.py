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
    # httpx's own transport, which respx intercepts (the default, KeepAliveTransport, is tested over loopback).
    c = PortalClient(settings, RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
                     limiter=limiter, transport=httpx.HTTPTransport(), sleep=sleeps.append)
    yield c
    c.close()


@respx.mock
def test_retry_after_is_honoured_and_slows_the_portal(client, sleeps, caplog):
    route = respx.get(f"{BASE}/jobs/J1").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"data": {"uuid": "J1"}})])
    stats = RequestStats()
    with caplog.at_level(logging.WARNING):
        assert client.job("J1", stats) == {"uuid": "J1"}
    assert route.call_count == 2 and sleeps == [7.0]
    assert stats.requests == 2 and stats.retries == 1
    assert client.limiter.rate < client.limiter.ceiling
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
def test_basic_auth(client):
    route = respx.get(f"{BASE}/jobs/J1").mock(return_value=httpx.Response(200, json={"uuid": "J1"}))
    client.job("J1", RequestStats())
    assert route.calls[0].request.headers["authorization"] == httpx.BasicAuth("u", "p")._auth_header


def test_the_default_transport_verifies_tls():
    import ssl

    settings = PortalSettings("legacyphoto", BASE, Credentials("u", "p"), 8, 4, 5)
    client = PortalClient(settings)
    try:
        context = client._http._transport.ssl_context
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        client.close()


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


def fake_time():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    return now, (lambda: now[0]), sleep


def test_limiter_paces_requests_just_under_the_rate():
    from blocks.limiter import PACING_HEADROOM

    now, clock, sleep = fake_time()
    limiter = PortalLimiter(rate_per_sec=4, max_in_flight=2, clock=clock, sleep=sleep)
    for _ in range(5):
        with limiter.slot():
            pass
    assert now[0] == pytest.approx(4 / (4 * PACING_HEADROOM))


def test_limiter_learns_the_real_rate_from_a_429_then_creeps_back_up():
    from blocks.limiter import ESTIMATE_HEADROOM

    now, clock, sleep = fake_time()
    limiter = PortalLimiter(rate_per_sec=100, max_in_flight=4, clock=clock, sleep=sleep)
    for _ in range(50):  # the portal accepts 50 in its second...
        with limiter.slot() as started:
            pass
        limiter.answered(started)
    with limiter.slot() as started:
        pass
    limiter.throttled(started)  # ...and refuses the 51st
    limiter.throttled(started)  # the same overload: one signal
    assert limiter.rate == pytest.approx(50 * ESTIMATE_HEADROOM)
    with limiter.slot() as next_start:
        pass
    assert next_start >= 1.0  # left alone until the portal's window slid past the first request
    for _ in range(10_000):
        limiter.answered(clock())
    assert limiter.rate == 100  # never above what the portal allows
