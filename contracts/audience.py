"""How a job's payloads become campaign rows: the legacy semantics of PORTAL_API.md, not its defects.

Two steps, because access keys cost one request per subject: `select_subjects`
decides who can get a row without them, the caller fetches keys for those only,
then `build_rows` makes one row per (subject, in-webshop activity).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from contracts.options import BuildOptions
from contracts.payloads import Activity, JobDetails, Subject, UserLink
from contracts.phones import to_e164


@dataclass(frozen=True)
class Contact:
    phone: str
    phone_2: str
    email: str
    email_2: str
    had_raw_phone: bool


@dataclass(frozen=True)
class Candidate:
    subject: Subject
    buyer: bool
    contact: Contact
    activities: tuple[Activity, ...]
    user: UserLink | None


@dataclass
class Selection:
    candidates: list[Candidate]
    counts: Counter  # filtered_*, rejected_* per reason


def _first(*values: str) -> str:
    return next((v.strip() for v in values if v and v.strip()), "")


def contact_of(subject: Subject) -> Contact:
    d1, d2 = subject.delivery_1, subject.delivery_2
    region = subject.country
    raw_phone = _first(d1.mobile_phone, d2.mobile_phone, subject.phone_number)
    phone = to_e164(raw_phone, region) or ""
    d1_phone, d2_phone = to_e164(d1.mobile_phone, region), to_e164(d2.mobile_phone, region)
    if d1_phone and d2_phone and d1_phone != d2_phone:
        phone_2 = d2_phone
    else:
        phone_2 = to_e164(subject.phone_number_2, region) or ""
    if phone_2 == phone:
        phone_2 = ""
    email = _first(d1.email_address, d2.email_address, subject.email)
    e1, e2 = d1.email_address.strip(), d2.email_address.strip()
    email_2 = e2 if e1 and e2 and e1.lower() != e2.lower() else subject.email_2.strip()
    if email_2.lower() == email.lower():
        email_2 = ""
    return Contact(phone, phone_2, email, email_2, had_raw_phone=bool(raw_phone))


def _contact_verdict(contact: Contact, contact_filter: str) -> str | None:
    """None when the subject is kept, else the count key explaining why not."""
    invalid = contact.had_raw_phone and not contact.phone
    if contact_filter == "phone-only":
        if contact.phone:
            return None
        return "rejected_invalid_phone" if invalid else "filtered_no_phone"
    if contact_filter == "email-only":
        return None if contact.email else "filtered_no_email"
    if contact.phone or contact.email:
        return None
    return "rejected_invalid_phone" if invalid else "filtered_no_contact"


def _activities_of(subject: Subject, image_activity: dict[str, str | None],
                   active: list[Activity]) -> tuple[Activity, ...] | None:
    """The subject's in-webshop activities; None when it has some but none is in the webshop.

    `subject` is the job-details record: its `activity_uuid` and its images' activities count.
    """
    ids = [subject.activity_uuid] if subject.activity_uuid else []
    ids += [image_activity.get(img) for img in subject.images]
    ids = [i for i in dict.fromkeys(ids) if i]
    if not ids:
        return tuple(active[:1])  # no activity at all: the job's first in-webshop one
    by_id = {a.uuid: a for a in active}
    chosen = tuple(by_id[i] for i in ids if i in by_id)
    return chosen or None


def select_subjects(details: JobDetails, buyers: list[Subject], non_buyers: list[Subject],
                    users: list[UserLink], active: list[Activity], options: BuildOptions) -> Selection:
    counts: Counter = Counter()
    user_by_subject: dict[str, UserLink] = {}
    for link in users:
        user_by_subject.setdefault(link.subject_uuid, link)
    audience: dict[str, tuple[Subject, bool]] = {}
    for subject in non_buyers if options.wants_non_buyers else []:
        audience[subject.uuid] = (subject, False)
    for subject in buyers if options.wants_buyers else []:
        audience[subject.uuid] = (subject, True)  # a buyer wins over a non-buyer listing
    in_details = {s.uuid: s for s in details.subjects}
    image_activity = {i.uuid: i.activity_id for i in details.images}
    candidates = []
    for subject, buyer in audience.values():
        contact = contact_of(subject)
        verdict = _contact_verdict(contact, options.contact_filter)
        if verdict:
            counts[verdict] += 1
            continue
        user = user_by_subject.get(subject.uuid)
        if options.registered_only and not user:
            counts["filtered_not_registered"] += 1
            continue
        activities = _activities_of(in_details.get(subject.uuid, subject), image_activity, active)
        if not activities:
            counts["filtered_no_active_activity"] += 1
            continue
        candidates.append(Candidate(subject, buyer, contact, activities, user))
    return Selection(candidates, counts)


def build_rows(portal: str, details: JobDetails, candidate: Candidate, access_code: str) -> list[dict[str, str]]:
    """One row per in-webshop activity of the candidate (gallery URLs on the public root)."""
    s, c = candidate.subject, candidate.contact
    root = f"https://{portal}.shop"
    user = candidate.user
    return [
        {
            "portal": portal,
            "job_uuid": details.uuid,
            "job_name": details.name,
            "subject_uuid": s.uuid,
            "external_id": s.external_id,
            "first_name": s.first_name,
            "last_name": s.last_name,
            "parent_name": s.parent_name,
            "phone_number": c.phone,
            "phone_number_2": c.phone_2,
            "email": c.email,
            "email_2": c.email_2,
            "country": s.country,
            "group": s.group,
            "buyer": "Yes" if candidate.buyer else "No",
            "access_code": access_code,
            "url": f"{root}/gallery/{s.uuid}",
            "custom_gallery_url": f"{root}/?code={access_code}",
            "sms_marketing_consent": "SUBSCRIBE",
            "sms_marketing_timestamp": activity.starting or "",
            "sms_transactional_consent": "SUBSCRIBE",
            "sms_transactional_timestamp": activity.starting or "",
            "activity_uuid": activity.uuid,
            "activity_name": activity.name,
            "registered_user": "Yes" if user else "No",
            "registered_user_email": user.username.strip().lower() if user else "",
            "registered_user_uuid": user.user_uuid if user else "",
            "resolution_strategy": "netlife-api-live",
        }
        for activity in candidate.activities
    ]
