"""Expected campaign rows computed straight from the simulator's ground truth.

Written from PORTAL_API.md's rules, independently of contracts/audience.py, so
the integration tests compare two implementations rather than one with itself.
Only the CSV-level result is modelled: the set of rows, keyed and compared as dicts.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers

TZ_OFFSET_DAY = lambda stamp, tz: dt.datetime.fromisoformat(stamp).astimezone(tz).date()  # noqa: E731


def e164(raw: str, country: str) -> str:
    if not raw or not raw.strip():
        return ""
    region = country.upper() if country and country.upper() in phonenumbers.SUPPORTED_REGIONS else "US"
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else ""


def guard(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value else value


def expected_rows(world, day: dt.date, tz, *, audience="both", contact_filter="phone-only",
                  registered_only=False, check_registered_users=True, job_ids=None) -> dict[tuple, dict]:
    """{(portal, job, subject, activity): row as written in the CSV (formula guard applied)}."""
    out = {}
    for portal, data in world.portals.items():
        active = [a for a in data.activities if a.get("starting")
                  and TZ_OFFSET_DAY(a["starting"], tz) <= day
                  and (not a.get("ending") or TZ_OFFSET_DAY(a["ending"], tz) >= day)]
        jobs = list(dict.fromkeys(a["job"]["uuid"] for a in active))
        for job in jobs:
            if job_ids and job not in job_ids:
                continue
            job_active = [a for a in active if a["job"]["uuid"] == job]
            details = data.jobs[job]
            subjects = details["subjects"].values() if isinstance(details["subjects"], dict) else details["subjects"]
            detail_by_uuid = {s["uuid"]: s for s in subjects}
            images = details["images"].values() if isinstance(details["images"], dict) else details["images"]
            image_act = {i["uuid"]: (i.get("activity") or {}).get("uuid") or i.get("activity_uuid") for i in images}
            users = {}
            if check_registered_users:
                for u in data.job_users[job]:
                    users.setdefault(u["subjectUuid"], u)
            people = []
            if audience in ("non-buyers", "both"):
                people += [(s, "No") for s in data.non_buyers[job]]
            if audience in ("buyers", "both"):
                people += [(s, "Yes") for s in data.buyers[job]]
            for s, buyer in people:
                d1, d2 = s["delivery_1"], s["delivery_2"]
                country = s.get("country", "")
                raw = next((p for p in (d1["mobile_phone"], d2["mobile_phone"], s.get("phone_number", "")) if p), "")
                phone = e164(raw, country)
                p1, p2 = e164(d1["mobile_phone"], country), e164(d2["mobile_phone"], country)
                phone2 = p2 if p1 and p2 and p1 != p2 else e164(s.get("phone_number_2", ""), country)
                phone2 = "" if phone2 == phone else phone2
                email = next((e for e in (d1["email_address"], d2["email_address"], s.get("email", "")) if e), "")
                email2 = d2["email_address"] if d1["email_address"] and d2["email_address"] and \
                    d1["email_address"].lower() != d2["email_address"].lower() else s.get("email_2", "")
                email2 = "" if email2.lower() == email.lower() else email2
                if contact_filter == "phone-only" and not phone:
                    continue
                if contact_filter == "email-only" and not email:
                    continue
                if contact_filter == "any" and not (phone or email):
                    continue
                user = users.get(s["uuid"])
                if registered_only and not user:
                    continue
                record = detail_by_uuid.get(s["uuid"], s)
                ids = ([record["activity_uuid"]] if record.get("activity_uuid") else []) + \
                      [image_act.get(i) for i in record.get("images", [])]
                ids = [i for i in dict.fromkeys(ids) if i]
                acts = [a for i in ids for a in job_active if a["uuid"] == i] if ids else job_active[:1]
                keys = data.access_keys.get(s["uuid"]) or []
                if not acts or not keys:
                    continue
                code = keys[0].get("access_key") or keys[0].get("key")
                for a in acts:
                    row = {
                        "portal": portal, "job_uuid": job, "job_name": details["name"], "subject_uuid": s["uuid"],
                        "external_id": s["external_id"], "first_name": s["first_name"], "last_name": s["last_name"],
                        "parent_name": s["parent_name"], "phone_number": phone, "phone_number_2": phone2,
                        "email": email, "email_2": email2, "country": country, "group": s["group"],
                        "buyer": buyer, "access_code": code,
                        "url": f"https://{portal}.shop/gallery/{s['uuid']}",
                        "custom_gallery_url": f"https://{portal}.shop/?code={code}",
                        "sms_marketing_consent": "SUBSCRIBE", "sms_marketing_timestamp": a["starting"],
                        "sms_transactional_consent": "SUBSCRIBE", "sms_transactional_timestamp": a["starting"],
                        "activity_uuid": a["uuid"], "activity_name": a["name"],
                        "registered_user": "Yes" if user else "No",
                        "registered_user_email": user["userUsername"].lower() if user else "",
                        "registered_user_uuid": user["userUuid"] if user else "",
                        "resolution_strategy": "netlife-api-live",
                    }
                    guarded = {k: (v if k in ("phone_number", "phone_number_2") else guard(v)) for k, v in row.items()}
                    out[(portal, job, s["uuid"], a["uuid"])] = guarded
    return out


def pii_values(world) -> set[str]:
    """Every phone, email, name and access code in the world (for scanning logs)."""
    values = set()
    for data in world.portals.values():
        for job in data.jobs:
            for s in data.buyers[job] + data.non_buyers[job]:
                for name in (s["first_name"], s["last_name"]):
                    if len(name) >= 4:
                        values.add(name)
                for v in (s["delivery_1"]["mobile_phone"], s["delivery_2"]["mobile_phone"],
                          s["delivery_1"]["email_address"], s["delivery_2"]["email_address"],
                          s.get("phone_number", ""), s.get("email", "")):
                    if v and len(v) >= 7:
                        values.add(v)
                        e = e164(v, s.get("country", ""))
                        if e:
                            values.add(e)
        for keys in data.access_keys.values():
            for k in keys:
                values.add(k.get("access_key") or k.get("key"))
        for u in data.users.values():
            values.update((u["phone_number"], u["email"]))
    return values
