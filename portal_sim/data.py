"""Seeded synthetic portal data: the simulator's ground truth.

The same `WorldConfig` always gives the same `World`, down to the JSON bytes.
Every phone number is in the fictional NANP range 555-0100..0199 and every
email is at example.com / example.org, so no real person can ever be reached.
The data is deliberately awkward (names with commas, quotes and newlines,
mixed phone formats, both shapes of job details, formula-like values) so that
naive client code breaks against it.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

FICTIONAL_AREA_CODES = ("212", "312", "415", "617", "202", "303", "512", "206")
CANADIAN_AREA_CODES = ("416", "604")
EMAIL_DOMAINS = ("example.com", "example.org")

FIRST_NAMES = (
    "Ava", "Liam", "Zoë", "José", "Chloé", "Noah", "Mía", "Ethan",
    "Ann \"Annie\"", "D'Andre", "Łukasz", "Søren", "=Eve", "+Max", "-Ivy", "@Kai",
)
LAST_NAMES = (
    "Smith", "O'Brien", "García", "Smith, Jr.", "Nguyễn", "Müller",
    "Lee\nPark", "Brown \"Bo\"", "Åberg", "Okafor", "=HYPERLINK(\"x\")", "Dubois",
)
JOB_WORDS = (
    "Spring Portraits", "Seniors, Class of 2026", "Graduation \"Gala\"",
    "Lacrosse; Varsity", "Élan Dance", "=Team Photos", "Band & Choir",
    "Picture Day\nMakeups",
)
ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS = ("Grade 1", "Grade 2, Room 4", "Varsity", "", "+Staff", "Kindergarten")


@dataclass(frozen=True)
class WorldConfig:
    """Knobs of the generated data (see the README's simulator section)."""

    seed: int = 7
    reference_date: dt.date = field(default_factory=dt.date.today)
    portals: tuple[str, ...] = ("nowandforeverphoto", "legacyphoto")
    jobs_per_portal: int = 4
    activities_per_job: int = 2
    subjects_per_job: int = 20
    buyer_share: float = 0.4
    registered_share: float = 0.3
    no_access_key_share: float = 0.1
    no_phone_share: float = 0.1
    invalid_phone_share: float = 0.02


@dataclass
class PortalData:
    """One portal's payloads, already in the shapes the API answers with."""

    activities: list[dict]
    jobs: dict[str, dict]  # job uuid -> job details payload
    buyers: dict[str, list[dict]]  # job uuid -> subjects with an order
    non_buyers: dict[str, list[dict]]  # job uuid -> subjects without one
    job_users: dict[str, list[dict]]  # job uuid -> [{subjectUuid, userUuid, userUsername}]
    access_keys: dict[str, list[dict]]  # subject uuid -> key objects (absent: 404)
    users: dict[str, dict]  # user uuid -> user payload


@dataclass
class World:
    config: WorldConfig
    portals: dict[str, PortalData]


def generate(config: WorldConfig) -> World:
    """Build every portal of `config` from its seed; pure and deterministic."""
    rng = random.Random(config.seed)
    portals = {name: _portal(rng, config, p_index) for p_index, name in enumerate(config.portals)}
    return World(config=config, portals=portals)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _iso(day: dt.date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00-05:00"


def _activity_window(rng: random.Random, ref: dt.date, index: int) -> tuple[str | None, str | None]:
    """(starting, ending) placed around the reference date.

    Most activities are in the webshop on `ref`; some start later, some ended
    earlier, and a few have no `starting` at all (a legacy trap).
    """
    kind = rng.random()
    if index == 0 or kind < 0.6:  # every job has work on the reference date
        start = ref - dt.timedelta(days=rng.randint(0, 20))
        ending = None if rng.random() < 0.5 else _iso(ref + dt.timedelta(days=rng.randint(0, 30)), 23)
        return _iso(start, rng.randint(6, 18)), ending
    if kind < 0.75:
        return _iso(ref + dt.timedelta(days=rng.randint(1, 10)), 9), None
    if kind < 0.9:
        start = ref - dt.timedelta(days=rng.randint(30, 60))
        return _iso(start, 9), _iso(ref - dt.timedelta(days=rng.randint(1, 20)), 23)
    return None, None


def fictional_phone(rng: random.Random, area_codes=FICTIONAL_AREA_CODES) -> tuple[str, str]:
    """A fictional NANP number, as (area code, 555-01XX line)."""
    return rng.choice(area_codes), f"01{rng.randint(0, 99):02d}"


def _format_phone(rng: random.Random, area: str, line: str) -> str:
    return rng.choice((
        f"({area}) 555-{line}",
        f"{area}.555.{line}",
        f"+1 {area} 555 {line}",
        f"{area}555{line}",
        f"{area}-555-{line}",
    ))


def _invalid_phone(rng: random.Random) -> str:
    return rng.choice(("555-01", "12345", "(000) 555-0100", "n/a"))


def _email(rng: random.Random, first: str, n: int) -> str:
    local = "".join(ch for ch in first.lower() if ch.isascii() and ch.isalpha()) or "guest"
    mail = f"{local}.{n}@{rng.choice(EMAIL_DOMAINS)}"
    return mail.upper() if rng.random() < 0.1 else mail


def _portal(rng: random.Random, cfg: WorldConfig, p_index: int) -> PortalData:
    data = PortalData(activities=[], jobs={}, buyers={}, non_buyers={}, job_users={},
                      access_keys={}, users={})
    for j in range(cfg.jobs_per_portal):
        _job(rng, cfg, data, p_index * 1000 + j)
    return data


def _job(rng: random.Random, cfg: WorldConfig, data: PortalData, job_n: int) -> None:
    job_uuid = _uuid(rng)
    job_name = f"{rng.choice(JOB_WORDS)} {job_n}"
    activities = []
    for a in range(max(1, cfg.activities_per_job)):
        starting, ending = _activity_window(rng, cfg.reference_date, a)
        act: dict = {"uuid": _uuid(rng), "name": f"{job_name} – online sales {a + 1}"}
        if starting is not None:
            act["starting"] = starting
        if ending is not None:
            act["ending"] = ending
        act["job"] = {"uuid": job_uuid, "name": job_name} if rng.random() < 0.8 else {"uuid": job_uuid}
        activities.append(act)
    data.activities.extend(activities)

    subjects, images = [], []
    buyers, non_buyers, users = [], [], []
    for s in range(cfg.subjects_per_job):
        subject, subject_images = _subject(rng, cfg, activities, job_n * 10000 + s)
        images.extend(subject_images)
        subjects.append(subject)
        (buyers if rng.random() < cfg.buyer_share else non_buyers).append(subject)
        if rng.random() < cfg.registered_share:
            user_uuid = _uuid(rng)
            username = _email(rng, subject["first_name"], job_n * 10000 + s)
            users.append({"subjectUuid": subject["uuid"], "userUuid": user_uuid, "userUsername": username})
            area, line = fictional_phone(rng)
            data.users[user_uuid] = {"uuid": user_uuid, "phone_number": f"+1{area}555{line}",
                                     "email": username.lower()}
        if rng.random() >= cfg.no_access_key_share:
            code = "".join(rng.choice(ACCESS_CODE_ALPHABET) for _ in range(8))
            data.access_keys[subject["uuid"]] = [{"access_key": code} if rng.random() < 0.7 else {"key": code}]
        elif rng.random() < 0.5:
            data.access_keys[subject["uuid"]] = []  # the other half answer 404

    keyed = job_n % 2 == 1  # both shapes of job details occur
    data.jobs[job_uuid] = {
        "uuid": job_uuid,
        "name": job_name,
        "subjects": {s["uuid"]: s for s in subjects} if keyed else subjects,
        "images": {i["uuid"]: i for i in images} if keyed else images,
    }
    data.buyers[job_uuid] = buyers
    data.non_buyers[job_uuid] = non_buyers
    data.job_users[job_uuid] = users


def _subject(rng: random.Random, cfg: WorldConfig, activities: list[dict], n: int) -> tuple[dict, list[dict]]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    canadian = rng.random() < 0.1
    country = "CA" if canadian else rng.choice(("US", "US", "", "USA"))
    area_codes = CANADIAN_AREA_CODES if canadian else FICTIONAL_AREA_CODES
    subject_uuid = _uuid(rng)
    d1 = {"email_address": _email(rng, first, n), "mobile_phone": ""}
    d2 = {"email_address": "", "mobile_phone": ""}
    flat: dict = {}
    roll = rng.random()
    if roll < cfg.no_phone_share:
        pass  # no phone anywhere: an email-only contact
    elif roll < cfg.no_phone_share + cfg.invalid_phone_share:
        d1["mobile_phone"] = _invalid_phone(rng)
    else:
        area, line = fictional_phone(rng, area_codes)
        phone = _format_phone(rng, area, line)
        where = rng.random()
        if where < 0.6:
            d1["mobile_phone"] = phone
        elif where < 0.8:
            d2["mobile_phone"] = phone
        else:
            flat["phone_number"] = phone
        extra = rng.random()
        if extra < 0.15 and d1["mobile_phone"]:
            d2["mobile_phone"] = _format_phone(rng, area, line)  # the same phone twice
        elif extra < 0.3 and d1["mobile_phone"]:
            d2["mobile_phone"] = _format_phone(rng, *fictional_phone(rng, area_codes))
        elif extra < 0.4:
            flat["phone_number_2"] = _format_phone(rng, *fictional_phone(rng, area_codes))
    if rng.random() < 0.3:
        d2["email_address"] = _email(rng, last, n + 1)
    if rng.random() < 0.2:
        flat["email"] = _email(rng, first, n + 2)

    # Images tie the subject to activities; some subjects have several, some none.
    subject_images, image_uuids = [], []
    for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
        act = rng.choice(activities)
        img_uuid = _uuid(rng)
        image = {"uuid": img_uuid, "activity": {"uuid": act["uuid"]}} if rng.random() < 0.5 \
            else {"uuid": img_uuid, "activity_uuid": act["uuid"]}
        subject_images.append(image)
        image_uuids.append(img_uuid)

    subject = {
        "uuid": subject_uuid,
        "external_id": f"EXT-{n:06d}" if rng.random() < 0.9 else f"-{n}",
        "first_name": first,
        "last_name": last,
        "parent_name": f"{rng.choice(FIRST_NAMES)} {last}" if rng.random() < 0.7 else "",
        "delivery_1": d1,
        "delivery_2": d2,
        **flat,
        "country": country,
        "group": rng.choice(GROUPS),
        "images": image_uuids,
        "group_images": [],
    }
    if rng.random() < 0.1:
        subject["activity_uuid"] = rng.choice(activities)["uuid"]
    return subject, subject_images
