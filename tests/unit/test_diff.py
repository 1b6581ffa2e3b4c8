"""`campaign-cli diff`: semantic comparison on the key, every kind of difference, no PII printed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import boto3

from contracts.row import CSV_HEADER
from flows import cli
from shadow.diff import DiffOptions, diff_csv
from tests.legacy import legacy_csv, read_rows

PII = ("O'Brien, Jr.", "Zoë", "+12125550147", "ann@example.com", "CODE1234", "Ann \"Annie\"")


def make_row(n: int, **changes) -> dict:
    row = {c: "" for c in CSV_HEADER}
    row.update(portal="legacyphoto", job_uuid="job-1", job_name="Seniors, 2026", subject_uuid=f"subject-{n:04d}",
               external_id=f"EXT-{n}", first_name="Zoë" if n % 2 else "Ann \"Annie\"", last_name="O'Brien, Jr.",
               phone_number="+12125550147", email="ann@example.com", buyer="Yes" if n % 3 == 0 else "No",
               access_code="CODE1234", url=f"https://legacyphoto.shop/gallery/subject-{n:04d}",
               custom_gallery_url="https://legacyphoto.shop/?code=CODE1234", sms_marketing_consent="SUBSCRIBE",
               sms_marketing_timestamp="2025-10-01T09:00:00-04:00", sms_transactional_consent="SUBSCRIBE",
               sms_transactional_timestamp="2025-10-01T09:00:00-04:00", activity_uuid="act-1",
               activity_name="Fall", registered_user="No", resolution_strategy="netlife-api-live")
    row.update(changes)
    return row


def write(path, rows, header=CSV_HEADER, quoting=csv.QUOTE_MINIMAL) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=quoting, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return str(path)


def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli.main(["diff", *args])
    return code, capsys.readouterr().out


ROWS = [make_row(n) for n in range(12)]


def test_same_rows_in_another_order_and_quoting_are_equivalent(tmp_path, capsys):
    a = write(tmp_path / "a.csv", ROWS)
    b = write(tmp_path / "b.csv", list(reversed(ROWS)), quoting=csv.QUOTE_ALL)
    code, out = run_cli(capsys, a, b)
    assert code == 0 and out.startswith("EQUIVALENT")


def test_each_kind_of_difference_is_counted(tmp_path, capsys):
    legacy = ROWS + [make_row(99)] + [make_row(5)]  # an extra row and a duplicated key
    new = [make_row(n, buyer="Yes") if n in (1, 2) else make_row(n) for n in range(12) if n != 7] + \
          [make_row(50, activity_uuid="act-2")]
    a, b = write(tmp_path / "legacy.csv", legacy), write(tmp_path / "new.csv", new)
    code, out = run_cli(capsys, a, b, "--json")
    result = json.loads(out)
    assert code == 1 and not result["equivalent"]
    assert (result["only_in_legacy"], result["only_in_new"], result["matched"]) == (2, 1, 11)
    assert result["legacy"]["duplicate_keys"] == 1 and result["new"]["duplicate_keys"] == 0
    assert result["differing_rows"] == 2 and result["column_differences"] == {"buyer": 2}
    assert result["examples"]["differing"][0]["columns"] == ["buyer"]
    assert result["legacy"]["rows"] == 14 and result["new"]["rows"] == 12


def test_header_missing_extra_and_reordered(tmp_path, capsys):
    a = write(tmp_path / "a.csv", ROWS)
    fewer = [c for c in CSV_HEADER if c != "group"] + ["campaign_id"]
    code, out = run_cli(capsys, a, write(tmp_path / "b.csv", ROWS, header=fewer), "--json")
    header = json.loads(out)["header"]
    assert code == 1 and header["missing_in_new"] == ["group"] and header["extra_in_new"] == ["campaign_id"]
    swapped = list(CSV_HEADER)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    code, out = run_cli(capsys, a, write(tmp_path / "c.csv", ROWS, header=swapped), "--json")
    assert code == 1 and json.loads(out)["header"]["reordered"] is True and json.loads(out)["differing_rows"] == 0


def test_phones_compare_as_e164_unless_told_not_to(tmp_path, capsys):
    a = write(tmp_path / "a.csv", [make_row(n, phone_number="(212) 555-0147") for n in range(3)])
    b = write(tmp_path / "b.csv", [make_row(n) for n in range(3)])
    assert run_cli(capsys, a, b)[0] == 0
    code, out = run_cli(capsys, a, b, "--no-normalize-phones", "--json")
    assert code == 1 and json.loads(out)["column_differences"] == {"phone_number": 3}


def test_ignore_columns_and_custom_key(tmp_path, capsys):
    a = write(tmp_path / "a.csv", [make_row(n, buyer="No") for n in range(6)])
    b = write(tmp_path / "b.csv", [make_row(n) for n in range(6)])
    assert run_cli(capsys, a, b, "--ignore-columns", "buyer")[0] == 0
    code, out = run_cli(capsys, a, b, "--key", "external_id", "--json")
    result = json.loads(out)
    assert code == 1 and result["matched"] == 6 and result["column_differences"] == {"buyer": 2}


def test_the_legacy_defects_show_up_as_counts(tmp_path, capsys):
    new_rows = ROWS
    b = write(tmp_path / "new.csv", new_rows)
    legacy_text = legacy_csv(read_rows((tmp_path / "new.csv").read_text(encoding="utf-8")))
    (tmp_path / "legacy.csv").write_text(legacy_text, encoding="utf-8")
    code, out = run_cli(capsys, str(tmp_path / "legacy.csv"), b, "--json")
    result = json.loads(out)
    assert code == 1
    # Every row here holds a comma (job name, last name): the bare-comma join breaks them all.
    assert result["legacy"]["malformed_rows"] == len(new_rows) and result["legacy"]["malformed_lines"][:2] == [2, 3]
    ok_rows = [make_row(n, job_name="Seniors 2026", last_name="Lee", first_name="Zoe") for n in range(12)]
    b2 = write(tmp_path / "new2.csv", ok_rows)
    (tmp_path / "legacy2.csv").write_text(legacy_csv(read_rows((tmp_path / "new2.csv").read_text())), encoding="utf-8")
    code, out = run_cli(capsys, str(tmp_path / "legacy2.csv"), b2, "--json")
    result = json.loads(out)
    buyers = sum(1 for r in ok_rows if r["buyer"] == "Yes")
    assert result["column_differences"] == {"buyer": buyers, "sms_marketing_timestamp": 3,
                                            "sms_transactional_timestamp": 3}
    assert result["legacy"]["malformed_rows"] == 0 and result["matched"] == 12


def test_reports_never_print_pii(tmp_path, capsys):
    a = write(tmp_path / "a.csv", ROWS + [make_row(77)])
    b = write(tmp_path / "b.csv", [make_row(n, first_name="Other", phone_number="+13125550100") for n in range(12)])
    for args in ((), ("--json",)):
        code, out = run_cli(capsys, a, b, *args)
        assert code == 1
        assert not [v for v in PII + ("subject-0077", "+13125550100", "Other") if v in out]
        assert "hash:" in out


def test_external_sort_gives_the_same_result_as_in_memory(tmp_path):
    many = [make_row(n, buyer="Yes" if n % 7 == 0 else "No") for n in range(200)]
    a = write(tmp_path / "a.csv", many[::-1])
    b = write(tmp_path / "b.csv", [make_row(n) for n in range(5, 205)])
    small = diff_csv(a, b, DiffOptions(chunk_rows=16)).as_dict()
    whole = diff_csv(a, b, DiffOptions()).as_dict()
    assert small == whole and small["only_in_legacy"] == 5 and small["only_in_new"] == 5


def test_not_a_csv_or_no_key_is_exit_10_and_unreadable_is_exit_30(tmp_path, capsys):
    good = write(tmp_path / "good.csv", ROWS)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "nokey.csv").write_text("a,b\n1,2\n")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage")
    assert cli.main(["diff", str(tmp_path / "empty.csv"), good]) == 10
    assert cli.main(["diff", good, str(tmp_path / "nokey.csv")]) == 10
    assert cli.main(["diff", str(tmp_path / "binary.csv"), good]) == 10
    assert cli.main(["diff", str(tmp_path / "missing.csv"), good]) == 30
    capsys.readouterr()


def test_s3_inputs(tmp_path, capsys, aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="shadow-bucket")
    body = Path(write(tmp_path / "a.csv", ROWS)).read_bytes()
    s3.put_object(Bucket="shadow-bucket", Key="legacy/2025-10-31.csv", Body=body)
    s3.put_object(Bucket="shadow-bucket", Key="new/2025-10-31.csv", Body=body)
    assert cli.main(["diff", "s3://shadow-bucket/legacy/2025-10-31.csv", "s3://shadow-bucket/new/2025-10-31.csv"]) == 0
    assert cli.main(["diff", "s3://shadow-bucket/legacy/2025-10-31.csv", "s3://shadow-bucket/nope.csv"]) == 30
    capsys.readouterr()
