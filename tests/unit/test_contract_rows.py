"""Payload models, the legacy row semantics (without its defects), phones, and the dataset checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from contracts.audience import build_rows, contact_of, select_subjects
from contracts.checks import check_reject_ratio, check_rows, validate_row
from contracts.errors import ContractError
from contracts.options import BuildOptions
from contracts.payloads import Activity, JobDetails, Subject, UserLink
from contracts.phones import to_e164
from contracts.row import CSV_HEADER, CampaignRow

NY = ZoneInfo("America/New_York")
DAY = dt.date(2025, 10, 31)
JOB = "job-1"
A_IN = Activity.model_validate({"uuid": "act-in", "name": "Fall, online", "starting": "2025-10-01T09:00:00-04:00",
                                "job": {"uuid": JOB}})
A_IN2 = Activity.model_validate({"uuid": "act-in2", "name": "Makeups", "starting": "2025-10-20T09:00:00-04:00",
                                 "ending": "2025-10-31T23:00:00-04:00", "job": {"uuid": JOB}})


def subject(uuid="s-1", **fields) -> Subject:
    base = {"uuid": uuid, "first_name": "Ann", "last_name": "Lee", "delivery_1": {"mobile_phone": "(212) 555-0147",
            "email_address": "ann@example.com"}}
    base.update(fields)
    return Subject.model_validate(base)


def details(*subjects: Subject, images=()) -> JobDetails:
    return JobDetails.model_validate({"uuid": JOB, "name": "Job, \"One\"",
                                      "subjects": {s.uuid: s.model_dump() for s in subjects},
                                      "images": {i["uuid"]: i for i in images}})


@pytest.mark.parametrize("raw,country,expected", [
    ("(212) 555-0147", "", "+12125550147"),
    ("212.555.0147", "US", "+12125550147"),
    ("+1 212 555 0147", "USA", "+12125550147"),
    ("(416) 555-0123", "CA", "+14165550123"),
    ("555-01", "US", None),
    ("n/a", "", None),
    ("", "", None),
])
def test_phones_to_e164(raw, country, expected):
    assert to_e164(raw, country) == expected


def test_activity_window_on_the_campaign_day():
    assert A_IN.in_webshop_on(DAY, NY) and A_IN2.in_webshop_on(DAY, NY)
    assert not A_IN2.in_webshop_on(DAY + dt.timedelta(days=1), NY)
    assert not A_IN.in_webshop_on(dt.date(2025, 9, 30), NY)
    no_start = Activity.model_validate({"uuid": "x", "job": {"uuid": JOB}})
    assert not no_start.in_webshop_on(DAY, NY)


def test_job_details_accept_both_shapes_and_both_image_forms():
    listed = JobDetails.model_validate({"uuid": JOB, "subjects": [{"uuid": "s-1"}],
                                        "images": [{"uuid": "i1", "activity": {"uuid": "a1"}}]})
    keyed = JobDetails.model_validate({"uuid": JOB, "subjects": {"s-1": {"uuid": "s-1"}},
                                       "images": {"i1": {"uuid": "i1", "activity_uuid": "a1"}}})
    assert listed.subjects == keyed.subjects and listed.images[0].activity_id == keyed.images[0].activity_id == "a1"


def test_ids_that_could_reach_a_url_path_are_refused():
    with pytest.raises(ValueError):
        Subject.model_validate({"uuid": "../../admin"})


def test_phone_and_email_choice_follow_the_legacy_order():
    s = subject(delivery_1={"mobile_phone": "", "email_address": ""},
                delivery_2={"mobile_phone": "212.555.0101", "email_address": "B@example.org"},
                phone_number="312 555 0102", email="c@example.com")
    c = contact_of(s)
    assert (c.phone, c.phone_2, c.email, c.email_2) == ("+12125550101", "", "B@example.org", "")
    both = subject(delivery_1={"mobile_phone": "(212) 555-0147", "email_address": "a@example.com"},
                   delivery_2={"mobile_phone": "312-555-0199", "email_address": "b@example.com"},
                   phone_number_2="617 555 0100")
    c = contact_of(both)
    assert (c.phone, c.phone_2, c.email_2) == ("+12125550147", "+13125550199", "b@example.com")
    same = subject(delivery_2={"mobile_phone": "+1 212 555 0147"}, phone_number_2="617 555 0100")
    assert contact_of(same).phone_2 == "+16175550100"  # the same phone twice: phone_number_2 instead


def test_contact_filters_and_invalid_phone_reject():
    people = [subject("s-ok"), subject("s-bad", delivery_1={"mobile_phone": "12345", "email_address": "x@example.com"}),
              subject("s-none", delivery_1={"mobile_phone": "", "email_address": "y@example.com"}),
              subject("s-nothing", delivery_1={})]
    job = details(*people)
    phone_only = select_subjects(job, people, [], [], [A_IN], BuildOptions())
    assert [c.subject.uuid for c in phone_only.candidates] == ["s-ok"]
    assert phone_only.counts == Counter(rejected_invalid_phone=1, filtered_no_phone=2)
    email_only = select_subjects(job, people, [], [], [A_IN], BuildOptions(contact_filter="email-only"))
    assert {c.subject.uuid for c in email_only.candidates} == {"s-ok", "s-bad", "s-none"}
    any_contact = select_subjects(job, people, [], [], [A_IN], BuildOptions(contact_filter="any"))
    assert any_contact.counts == Counter(filtered_no_contact=1)


def test_audience_buyer_flag_and_registered_users():
    buyer, other = subject("s-b"), subject("s-n")
    job = details(buyer, other)
    users = [UserLink.model_validate({"subjectUuid": "s-n", "userUuid": "u-1", "userUsername": "Ann@Example.COM"})]
    both = select_subjects(job, [buyer], [other], users, [A_IN], BuildOptions())
    assert {(c.subject.uuid, c.buyer) for c in both.candidates} == {("s-b", True), ("s-n", False)}
    only_buyers = select_subjects(job, [buyer], [other], users, [A_IN], BuildOptions(audience="buyers"))
    assert [c.subject.uuid for c in only_buyers.candidates] == ["s-b"]
    registered = select_subjects(job, [buyer], [other], users, [A_IN], BuildOptions(registered_only=True))
    assert [c.subject.uuid for c in registered.candidates] == ["s-n"]
    row = build_rows("legacyphoto", job, registered.candidates[0], "CODE1")[0]
    assert (row["registered_user"], row["registered_user_email"], row["registered_user_uuid"], row["buyer"]) == \
        ("Yes", "ann@example.com", "u-1", "No")


def test_activities_from_images_and_own_activity_one_row_each():
    multi = subject("s-m", images=["i1", "i2", "i3"], activity_uuid="act-in2")
    lone = subject("s-l")
    outside = subject("s-o", images=["i9"])
    images = [{"uuid": "i1", "activity": {"uuid": "act-in"}}, {"uuid": "i2", "activity_uuid": "act-in"},
              {"uuid": "i3", "activity_uuid": "act-gone"}, {"uuid": "i9", "activity_uuid": "act-gone"}]
    job = details(multi, lone, outside, images=images)
    chosen = select_subjects(job, [multi, lone, outside], [], [], [A_IN, A_IN2], BuildOptions())
    by_subject = {c.subject.uuid: [a.uuid for a in c.activities] for c in chosen.candidates}
    assert by_subject == {"s-m": ["act-in2", "act-in"], "s-l": ["act-in"]}  # lone: the job's first activity
    assert chosen.counts == Counter(filtered_no_active_activity=1)
    rows = build_rows("legacyphoto", job, chosen.candidates[0], "K9")
    assert [r["activity_uuid"] for r in rows] == ["act-in2", "act-in"]
    assert rows[0]["sms_marketing_timestamp"] == A_IN2.starting
    assert rows[0]["url"] == "https://legacyphoto.shop/gallery/s-m"
    assert rows[0]["custom_gallery_url"] == "https://legacyphoto.shop/?code=K9"
    assert tuple(rows[0]) == CSV_HEADER


def good_row(**changes) -> dict:
    job = details(subject())
    row = build_rows("legacyphoto", job, select_subjects(job, [subject()], [], [], [A_IN], BuildOptions())
                     .candidates[0], "K1")[0]
    row.update(changes)
    return row


def test_check_rows_validates_dedupes_and_sorts():
    rows = [good_row(subject_uuid="s-2"), good_row(subject_uuid="s-1"), good_row(subject_uuid="s-1"),
            good_row(subject_uuid="s-3", buyer="Maybe"), good_row(subject_uuid="s-4", access_code="-1")]
    checked = check_rows(rows)
    assert [r[3] for r in checked.rows] == ["s-1", "s-2"]
    assert checked.duplicates == 1 and checked.rejects == Counter(invalid_buyer=1, invalid_access_code=1)


def test_reject_ratio_breach_is_a_contract_error_without_values():
    rows = [good_row(subject_uuid=f"s-{i}") for i in range(19)] + [good_row(subject_uuid="s-x", phone_number="555")]
    checked = check_rows(rows)
    check_reject_ratio(len(checked.rows), checked.rejects, 0.05)  # 1 of 20: exactly 5%, allowed
    with pytest.raises(ContractError) as caught:
        check_reject_ratio(len(checked.rows), checked.rejects + Counter(invalid_phone=1), 0.05)
    assert "invalid_phone=1, invalid_phone_number=1" in str(caught.value) and "555" not in str(caught.value)


def job(portal: str, job_id: str, rows: list[dict]):
    from pipeline.fetch import checked_job

    return checked_job(portal, job_id, rows, Counter(buyers=1), {})


def test_assemble_orders_jobs_so_blocks_concatenate_sorted():
    from pipeline.assemble import assemble
    from storage.csv_render import HEADER_LINE

    a = job("legacyphoto", "job-b", [good_row(job_uuid="job-b", subject_uuid=f"s-{i}") for i in (2, 1)])
    b = job("legacyphoto", "job-a", [good_row(job_uuid="job-a", subject_uuid="s-9")])
    c = job("generationsphotos", "job-z", [good_row(portal="generationsphotos", job_uuid="job-z")])
    campaign = assemble([a, b, c])
    text = (HEADER_LINE + b"".join(campaign.blocks())).decode()
    keys = [tuple(line.split(",")[i] for i in (0, 1, 3)) for line in text.splitlines()[1:]]
    assert keys == sorted(keys) and campaign.rows == 4
    with pytest.raises(ContractError, match="twice"):
        assemble([a, a])


def test_a_row_with_unexpected_columns_breaks_the_contract():
    row = good_row()
    row["extra"] = "x"
    with pytest.raises(ContractError):
        validate_row(row)


def test_campaign_row_fields_are_the_header():
    assert tuple(CampaignRow.__annotations__) == CSV_HEADER and len(CSV_HEADER) == 28
