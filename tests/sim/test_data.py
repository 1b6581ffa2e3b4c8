"""The generated data: deterministic, awkward in the documented ways, and never a real contact."""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers

from portal_sim import PortalSimulator, WorldConfig, generate
from portal_sim.app import encode
from tests.sim.helpers import call

FICTIONAL = re.compile(r"^\+1\d{3}55501\d{2}$")


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def all_subjects(world):
    for data in world.portals.values():
        for job in data.jobs:
            yield from data.buyers[job] + data.non_buyers[job]


def phone_values(world):
    for subject in all_subjects(world):
        for value in (subject["delivery_1"]["mobile_phone"], subject["delivery_2"]["mobile_phone"],
                      subject.get("phone_number", ""), subject.get("phone_number_2", "")):
            if value:
                yield value, subject.get("country", "")
    for data in world.portals.values():
        for user in data.users.values():
            yield user["phone_number"], "US"


def test_same_seed_same_bytes_other_seed_other_data():
    config = WorldConfig(seed=5, reference_date=dt.date(2025, 10, 31))
    a, b = PortalSimulator(generate(config)), PortalSimulator(generate(config))
    job = next(iter(a.world.portals["legacyphoto"].jobs))
    for path in ("/legacyphoto/api/v1/activities/search?status_id=in-webshop", f"/legacyphoto/api/v1/jobs/{job}",
                 f"/legacyphoto/api/v1/jobs/{job}/users", f"/legacyphoto/api/v1/jobs/{job}/subjects?filter_has_order=true"):
        assert call(a, path).content == call(b, path).content
    other = generate(WorldConfig(seed=6, reference_date=dt.date(2025, 10, 31)))
    assert encode(other.portals["legacyphoto"].activities) != encode(a.world.portals["legacyphoto"].activities)


def test_every_valid_phone_is_fictional_and_every_email_is_example():
    world = generate(WorldConfig(seed=1, jobs_per_portal=10, subjects_per_job=50))
    valid = 0
    for raw, country in phone_values(world):
        try:
            number = phonenumbers.parse(raw, country if country in ("US", "CA") else "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            valid += 1
            assert FICTIONAL.match(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)), raw
    assert valid > 500
    emails = [s["delivery_1"]["email_address"] for s in all_subjects(world)] + \
             [u["email"] for d in world.portals.values() for u in d.users.values()]
    assert emails and all(e.lower().endswith(("@example.com", "@example.org")) for e in emails if e)


def test_data_holds_the_traps_naive_code_falls_into():
    world = generate(WorldConfig(seed=2, jobs_per_portal=6, subjects_per_job=60))
    subjects = list(all_subjects(world))
    names = [s["first_name"] + s["last_name"] + s["parent_name"] for s in subjects]
    assert any("," in n for n in names) and any('"' in n for n in names) and any("'" in n for n in names)
    assert any("\n" in n for n in names) and any(not n.isascii() for n in names)
    assert any(n[:1] in "=+-@" for s in subjects for n in (s["first_name"], s["last_name"], s["group"]))
    phones = [raw for raw, _ in phone_values(world)]
    assert any(p.startswith("(") for p in phones) and any("." in p for p in phones) and any(p.startswith("+1 ") for p in phones)
    same_phone_twice = [s for s in subjects if s["delivery_1"]["mobile_phone"]
                        and digits(s["delivery_1"]["mobile_phone"])[-10:] == digits(s["delivery_2"]["mobile_phone"])[-10:]]
    assert same_phone_twice
    assert any(len(s["images"]) > 1 for s in subjects)
    activities = [a for d in world.portals.values() for a in d.activities]
    assert any("starting" not in a for a in activities)


def test_activities_straddle_the_reference_date():
    ref = dt.date(2025, 10, 31)
    world = generate(WorldConfig(seed=4, reference_date=ref, jobs_per_portal=10, activities_per_job=3))
    starts = [dt.date.fromisoformat(a["starting"][:10]) for d in world.portals.values() for a in d.activities
              if "starting" in a]
    ends = [dt.date.fromisoformat(a["ending"][:10]) for d in world.portals.values() for a in d.activities
            if "ending" in a]
    assert any(s <= ref for s in starts) and any(s > ref for s in starts) and any(e < ref for e in ends)
