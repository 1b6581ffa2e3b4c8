"""Every endpoint of PORTAL_API.md, its shapes, auth, pagination and 404s."""

from __future__ import annotations

import pytest

from portal_sim import Knobs, PortalSimulator, WorldConfig, generate
from tests.sim.helpers import call, collect

P = "nowandforeverphoto"


@pytest.fixture(scope="module")
def app():
    return PortalSimulator(generate(WorldConfig(seed=3, jobs_per_portal=6, subjects_per_job=30)))


def first_job(app) -> str:
    return next(iter(app.world.portals[P].jobs))


def test_activities_search_lists_activities_with_job(app):
    body = call(app, f"/{P}/api/v1/activities/search?status_id=in-webshop").json()
    assert body["data"] == app.world.portals[P].activities
    assert all({"uuid", "name", "job"} <= set(a) and "uuid" in a["job"] for a in body["data"])
    assert call(app, f"/{P}/api/v1/activities/search?status_id=archived").json() == {"data": []}


def test_job_details_come_in_both_shapes(app):
    shapes = set()
    for job in app.world.portals[P].jobs:
        body = call(app, f"/{P}/api/v1/jobs/{job}").json()
        details = body.get("data", body)
        assert details["uuid"] == job
        shapes.add((type(details["subjects"]).__name__, type(details["images"]).__name__))
        shapes.add("wrapped" if "data" in body else "bare")
    assert {("list", "list"), ("dict", "dict"), "wrapped", "bare"} <= shapes


def test_subject_lists_split_buyers_and_non_buyers(app):
    job = first_job(app)
    buyers = call(app, f"/{P}/api/v1/jobs/{job}/subjects?filter_has_order=true").json()["data"]
    non_buyers = call(app, f"/{P}/api/v1/jobs/{job}/subjects?filter_has_order=false").json()["data"]
    assert buyers == app.world.portals[P].buyers[job]
    assert non_buyers == app.world.portals[P].non_buyers[job]
    assert not {s["uuid"] for s in buyers} & {s["uuid"] for s in non_buyers}


def test_users_always_paginate_with_absolute_next(app):
    job = max(app.world.portals[P].job_users, key=lambda j: len(app.world.portals[P].job_users[j]))
    app.knobs.users_page_size = 2
    try:
        first = call(app, f"/{P}/api/v1/jobs/{job}/users").json()
        assert len(first["data"]) == 2 and first["meta"]["next"].startswith("http://")
        assert collect(app, f"/{P}/api/v1/jobs/{job}/users") == app.world.portals[P].job_users[job]
    finally:
        app.knobs.users_page_size = 25


def test_subject_lists_paginate_when_page_size_set(app):
    job = first_job(app)
    app.knobs.page_size = 3
    try:
        first = call(app, f"/{P}/api/v1/jobs/{job}/subjects?filter_has_order=false").json()
        assert len(first["data"]) == 3 and first["meta"]["next"].startswith(f"/{P}/api/v1/")
        assert collect(app, f"/{P}/api/v1/jobs/{job}/subjects?filter_has_order=false") == \
            app.world.portals[P].non_buyers[job]
        # activities use the top-level `next`, relative to the API root
        assert call(app, f"/{P}/api/v1/activities/search?status_id=in-webshop").json()["next"].startswith("activities/")
        assert collect(app, f"/{P}/api/v1/activities/search?status_id=in-webshop") == app.world.portals[P].activities
    finally:
        app.knobs.page_size = None


def test_access_keys_list_empty_or_404(app):
    data = app.world.portals[P]
    job = first_job(app)
    seen = set()
    for job, subjects in ((j, data.buyers[j] + data.non_buyers[j]) for j in data.jobs):
        for subject in subjects:
            response = call(app, f"/{P}/api/v1/jobs/{job}/subjects/{subject['uuid']}/accesskeys")
            if response.status_code == 404:
                seen.add("404")
                assert subject["uuid"] not in data.access_keys
            else:
                keys = response.json()
                seen.add("empty" if not keys else next(iter(keys[0])))
    assert {"404", "empty", "access_key", "key"} <= seen


def test_user_endpoint_and_unknown_ids_404(app):
    data = app.world.portals[P]
    user_uuid, user = next(iter(data.users.items()))
    assert call(app, f"/{P}/api/v1/users/{user_uuid}").json() == {"data": user}
    assert call(app, f"/{P}/api/v1/users/00000000-0000-4000-8000-000000000000").status_code == 404
    assert call(app, f"/{P}/api/v1/jobs/00000000-0000-4000-8000-000000000000").status_code == 404
    assert call(app, f"/{P}/api/v1/jobs/00000000-0000-4000-8000-000000000000/users").status_code == 404
    assert call(app, "/notaportal/api/v1/activities/search").status_code == 404
    assert call(app, f"/{P}/api/v1/nothing").status_code == 404


def test_wrong_password_is_401(app):
    response = call(app, f"/{P}/api/v1/jobs/{first_job(app)}", auth=("sim", "wrong"))
    assert response.status_code == 401
    assert call(app, f"/{P}/api/v1/jobs/{first_job(app)}", auth=None).status_code == 401
    custom = PortalSimulator(app.world, Knobs(), username="ops", password="s3cret")
    assert call(custom, f"/{P}/api/v1/jobs/{first_job(app)}", auth=("ops", "s3cret")).status_code == 200


def test_stats_count_by_endpoint_status_and_job_and_reset(app):
    app.reset_stats()
    job = first_job(app)
    call(app, f"/{P}/api/v1/jobs/{job}")
    call(app, f"/{P}/api/v1/jobs/{job}", auth=("x", "y"))
    stats = call(app, "/_sim/stats").json()
    assert stats["requests"]["job"] == {"200": 1, "401": 1}
    assert stats["by_job"][job] == 2 and stats["total"] == 2 and stats["peak_in_flight"] >= 1
    call(app, "/_sim/stats/reset", method="POST")
    assert call(app, "/_sim/stats").json()["total"] == 0


def test_knobs_change_while_running_and_reject_unknown(app):
    assert call(app, "/_sim/knobs", method="PATCH", json={"latency_ms": 1}).json()["latency_ms"] == 1
    assert call(app, "/_sim/knobs", method="PATCH", json={"nope": 1}).status_code == 400
    assert call(app, "/_sim/knobs", method="PATCH", json={"faults": {"job": {"explode": 1}}}).status_code == 400
    call(app, "/_sim/knobs", method="PATCH", json={"latency_ms": 0})
