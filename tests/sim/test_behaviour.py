"""Latency, rate limit, in-flight cap, faults and `fail_next`, over real HTTP on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

P = "nowandforeverphoto"


@pytest.fixture
def http(sim):
    with httpx.Client(base_url=f"{sim.url}/{P}/api/v1", auth=("sim", "sim-password"), timeout=10) as client:
        yield client


def a_job(sim, index: int = 0) -> str:
    return list(sim.app.world.portals[P].jobs)[index]


def test_rate_limit_answers_429_with_retry_after_only_beyond_the_limit(sim, http):
    sim.app.knobs.rate_limit_per_sec = 20
    statuses = [http.get(f"jobs/{a_job(sim)}").status_code for _ in range(20)]
    assert statuses == [200] * 20
    over = http.get(f"jobs/{a_job(sim)}")
    assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1
    assert sim.app.stats.rate_limited == 1


def test_rate_limit_never_refuses_a_client_under_it(sim, http):
    sim.app.knobs.rate_limit_per_sec = 20
    time.sleep(1.05)  # an empty window
    statuses = []
    for _ in range(30):  # 10/s for 3 s: half the limit
        statuses.append(http.get(f"jobs/{a_job(sim)}").status_code)
        time.sleep(0.1)
    assert set(statuses) == {200} and sim.app.stats.rate_limited == 0


def test_rate_limit_is_per_portal(sim, http):
    sim.app.knobs.rate_limit_per_sec = 5
    for _ in range(5):
        assert http.get(f"jobs/{a_job(sim)}").status_code == 200
    other = list(sim.app.world.portals["legacyphoto"].jobs)[0]
    answer = httpx.get(f"{sim.url}/legacyphoto/api/v1/jobs/{other}", auth=("sim", "sim-password"))
    assert answer.status_code == 200


def test_latency_and_peak_in_flight(sim):
    sim.app.knobs.latency_ms = 200
    url = f"{sim.url}/{P}/api/v1/jobs/{a_job(sim)}"
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: httpx.get(url, auth=("sim", "sim-password")).status_code, range(6)))
    assert statuses == [200] * 6
    assert sim.app.stats.as_dict()["peak_in_flight"] >= 4


def test_max_in_flight_answers_429_beyond_the_cap(sim):
    sim.app.knobs.latency_ms = 300
    sim.app.knobs.max_in_flight = 2
    url = f"{sim.url}/{P}/api/v1/jobs/{a_job(sim)}"
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: httpx.get(url, auth=("sim", "sim-password")).status_code, range(6)))
    assert statuses.count(200) >= 2 and statuses.count(429) >= 1


def test_5xx_fault(sim, http):
    sim.app.knobs.faults = {"job": {"5xx": 1.0}}
    assert http.get(f"jobs/{a_job(sim)}").status_code in (500, 502, 503)
    assert http.get("activities/search?status_id=in-webshop").status_code == 200  # other endpoints unaffected
    assert sim.app.stats.faults["5xx"] == 1


def test_malformed_json_fault(sim, http):
    sim.app.knobs.faults = {"*": {"malformed": 1.0}}
    response = http.get(f"jobs/{a_job(sim)}")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_reset_fault_drops_the_connection(sim, http):
    sim.app.knobs.faults = {"subjects": {"reset": 1.0}}
    with pytest.raises(httpx.TransportError):
        http.get(f"jobs/{a_job(sim)}/subjects?filter_has_order=true")
    assert sim.app.stats.faults["reset"] == 1


def test_slow_fault_exceeds_the_client_timeout(sim):
    sim.app.knobs.faults = {"job": {"slow": 1.0}}
    sim.app.knobs.slow_seconds = 1.0
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{sim.url}/{P}/api/v1/jobs/{a_job(sim)}", auth=("sim", "sim-password"), timeout=0.2)


def test_fault_shares_are_seeded_and_roughly_right(sim, http):
    sim.app.knobs.faults = {"job": {"5xx": 0.3}}
    statuses = [http.get(f"jobs/{a_job(sim)}").status_code for _ in range(200)]
    failures = sum(s >= 500 for s in statuses)
    assert 30 <= failures <= 90


def test_fail_next_n_requests_to_one_job(sim, http):
    target, other = a_job(sim, 0), a_job(sim, 1)
    armed = httpx.post(f"{sim.url}/_sim/fail-next", json={"job": target, "count": 2, "kind": "5xx"})
    assert armed.status_code == 200
    assert http.get(f"jobs/{other}").status_code == 200
    assert http.get(f"jobs/{target}/users").status_code >= 500
    assert http.get(f"jobs/{target}").status_code >= 500
    assert http.get(f"jobs/{target}").status_code == 200


def test_stats_endpoint_over_http(sim, http):
    http.get(f"jobs/{a_job(sim)}")
    stats = httpx.get(f"{sim.url}/_sim/stats").json()
    assert stats["requests"]["job"]["200"] == 1 and stats["by_portal"][P] == 1
    httpx.post(f"{sim.url}/_sim/stats/reset")
    assert httpx.get(f"{sim.url}/_sim/stats").json()["total"] == 0


def test_portal_sim_serve_prints_its_address_and_serves():
    proc = subprocess.Popen([sys.executable, "-m", "portal_sim", "serve", "--port", "0", "--seed", "7",
                             "--rate-limit", "100", "--latency-ms", "1"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("PORTAL_SIM_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        for _ in range(50):
            try:
                knobs = httpx.get(f"{url}/_sim/knobs").json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert knobs["rate_limit_per_sec"] == 100 and knobs["latency_ms"] == 1
        body = httpx.get(f"{url}/legacyphoto/api/v1/activities/search?status_id=in-webshop",
                         auth=("sim", "sim-password")).json()
        assert body["data"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
