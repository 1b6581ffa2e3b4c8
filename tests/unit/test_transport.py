"""KeepAliveTransport over loopback against the simulator: answers, keep-alive, and httpx's error types."""

from __future__ import annotations

import httpx
import pytest

from blocks.transport import KeepAliveTransport

P = "nowandforeverphoto"


@pytest.fixture
def http(sim):
    with httpx.Client(base_url=f"{sim.url}/{P}/api/v1", auth=("sim", "sim-password"),
                      transport=KeepAliveTransport(5)) as client:
        yield client


def a_job(sim) -> str:
    return next(iter(sim.app.world.portals[P].jobs))


def test_answers_headers_and_keep_alive(sim, http):
    for _ in range(3):
        answer = http.get(f"jobs/{a_job(sim)}")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        assert answer.json()
    assert http.get("jobs/00000000-0000-4000-8000-000000000000").status_code == 404
    assert sim.app.stats.total == 4


def test_query_strings_and_auth(sim, http):
    body = http.get("activities/search", params={"status_id": "in-webshop"}).json()
    assert body["data"]
    with httpx.Client(transport=KeepAliveTransport(5)) as anonymous:
        assert anonymous.get(f"{sim.url}/{P}/api/v1/jobs/{a_job(sim)}").status_code == 401


def test_a_dropped_connection_is_a_transport_error_and_the_next_request_reconnects(sim, http):
    sim.app.fail_next(a_job(sim), 1, "reset")
    with pytest.raises(httpx.TransportError):
        http.get(f"jobs/{a_job(sim)}")
    assert http.get(f"jobs/{a_job(sim)}").status_code == 200


def test_a_slow_answer_is_a_read_timeout(sim):
    sim.app.knobs.faults = {"job": {"slow": 1.0}}
    sim.app.knobs.slow_seconds = 1.0
    with httpx.Client(auth=("sim", "sim-password"), transport=KeepAliveTransport(0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(f"{sim.url}/{P}/api/v1/jobs/{a_job(sim)}")


def test_a_refused_connection_is_a_connect_error(sim):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with httpx.Client(transport=KeepAliveTransport(2)) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{port}/x")
