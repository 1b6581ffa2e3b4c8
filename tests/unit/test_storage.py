"""CSV bytes and atomic publication: local files and S3 (moto)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os

import boto3
import pytest

from contracts.errors import StorageError
from contracts.row import CSV_HEADER
from storage.csv_render import HEADER_LINE, render_rows
from storage.destinations import Destination, publish


def row(**values) -> tuple[str, ...]:
    base = {c: "" for c in CSV_HEADER}
    base.update(values)
    return tuple(base[c] for c in CSV_HEADER)


def test_csv_quotes_rfc4180_and_guards_formulas_but_not_phones():
    rows = [row(portal="legacyphoto", job_name='Seniors, "Gala"\nDay', first_name="=SUM(A1)", last_name="-Ivy",
                group="@home", external_id="\tx", phone_number="+12125550147", phone_number_2="+13125550100")]
    data = HEADER_LINE + render_rows(rows)
    assert data.startswith(",".join(CSV_HEADER).encode() + b"\n")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[0] == list(CSV_HEADER) and len(parsed) == 2
    got = dict(zip(CSV_HEADER, parsed[1]))
    assert got["job_name"] == 'Seniors, "Gala"\nDay'
    assert (got["first_name"], got["last_name"], got["group"], got["external_id"]) == ("'=SUM(A1)", "'-Ivy", "'@home", "'\tx")
    assert (got["phone_number"], got["phone_number_2"]) == ("+12125550147", "+13125550100")
    assert b"\r\n" not in data
    assert HEADER_LINE + render_rows(rows) == data


def reference_line(row: tuple[str, ...]) -> str:
    """The csv module's RFC 4180 quoting (CRLF terminator, so a bare CR is quoted), then \\n."""
    from storage.csv_render import GUARDED, guard_cell

    cells = [guard_cell(v) if i in GUARDED else v for i, v in enumerate(row)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


def test_fast_rendering_equals_the_csv_module_on_awkward_and_random_cells(world):
    import random

    from storage.csv_render import TEXT_INDEX, csv_line

    texts = [v for d in world.portals.values() for job in d.jobs
             for s in d.buyers[job] + d.non_buyers[job] for v in (s["first_name"], s["last_name"], s["group"])]
    texts += [d.jobs[job]["name"] for d in world.portals.values() for job in d.jobs]
    rng = random.Random(0)
    alphabet = ["a", ",", '"', "\n", "\r", "=", "+", "-", "@", "\t", "\x00", " ", "é"]
    base = row(portal="legacyphoto", phone_number="+12125550147", email="a@example.com")
    for n in range(20_000):
        cells = list(base)
        for i in TEXT_INDEX:
            cells[i] = rng.choice(texts) if n % 2 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
        assert csv_line(tuple(cells)) == reference_line(tuple(cells))


def test_destination_parsing():
    assert Destination.parse("-").kind == "stdout"
    s3 = Destination.parse("s3://bucket/campaigns/2025-10-31/campaign.csv")
    assert (s3.bucket, s3.path, s3.manifest.path) == ("bucket", "campaigns/2025-10-31/campaign.csv",
                                                      "campaigns/2025-10-31/manifest.json")
    assert s3.with_prefix("shadow").path == "campaigns/2025-10-31/shadow/campaign.csv"
    for bad in ("s3://bucket", "s3://bucket/", "s3:///key.csv"):
        with pytest.raises(ValueError):
            Destination.parse(bad)


def manifest_of(sha: str, size: int) -> bytes:
    return json.dumps({"sha256": sha, "bytes": size}).encode()


def test_local_publish_streams_csv_then_manifest_atomically(tmp_path):
    dest = Destination.parse(str(tmp_path / "day" / "campaign.csv"))
    digest = publish(dest, [b"a,b\n", b"1,2\n"], manifest_of)
    assert digest == (hashlib.sha256(b"a,b\n1,2\n").hexdigest(), 8)
    assert json.loads((tmp_path / "day" / "manifest.json").read_text()) == {"sha256": digest[0], "bytes": 8}
    assert (tmp_path / "day" / "campaign.csv").read_bytes() == b"a,b\n1,2\n"
    assert sorted(os.listdir(tmp_path / "day")) == ["campaign.csv", "manifest.json"]


def test_dry_run_only_hashes(tmp_path):
    digest = publish(Destination.parse(str(tmp_path / "c.csv")), [b"x"], manifest_of, dry_run=True)
    assert digest == (hashlib.sha256(b"x").hexdigest(), 1) and list(tmp_path.iterdir()) == []


def test_local_failure_is_a_storage_error_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        publish(Destination.parse(str(blocker / "campaign.csv")), [b"a\n"], manifest_of)
    assert os.listdir(tmp_path) == ["file"]


def test_local_manifest_failure_removes_the_new_csv(tmp_path, monkeypatch):
    from storage import destinations

    real_put = destinations._Local.put_stream

    def failing_manifest(self, path, chunks, content_type):
        if path.endswith("manifest.json"):
            raise StorageError("disk full")
        return real_put(self, path, chunks, content_type)

    monkeypatch.setattr(destinations._Local, "put_stream", failing_manifest)
    with pytest.raises(StorageError):
        publish(Destination.parse(str(tmp_path / "campaign.csv")), [b"a\n"], manifest_of)
    assert os.listdir(tmp_path) == []


@pytest.fixture
def s3(aws):
    client = boto3.client("s3")
    client.create_bucket(Bucket="campaigns")
    return client


def test_s3_publish_encrypts_and_writes_manifest_last(s3):
    dest = Destination.parse("s3://campaigns/campaigns/2025-10-31/campaign.csv")
    publish(dest, [b"a,b\n"], manifest_of)
    csv_head = s3.head_object(Bucket="campaigns", Key="campaigns/2025-10-31/campaign.csv")
    manifest_head = s3.head_object(Bucket="campaigns", Key="campaigns/2025-10-31/manifest.json")
    assert csv_head["ServerSideEncryption"] == manifest_head["ServerSideEncryption"] == "AES256"
    assert csv_head["LastModified"] <= manifest_head["LastModified"]
    assert s3.get_object(Bucket="campaigns", Key="campaigns/2025-10-31/campaign.csv")["Body"].read() == b"a,b\n"


def test_s3_put_order_is_manifest_delete_csv_then_manifest(s3, monkeypatch):
    from storage import destinations

    calls = []
    real_put, real_delete = destinations._S3.put_stream, destinations._S3.delete
    monkeypatch.setattr(destinations._S3, "put_stream",
                        lambda self, k, d, c: (calls.append(("put", k)), real_put(self, k, d, c))[1])
    monkeypatch.setattr(destinations._S3, "delete", lambda self, k: (calls.append(("delete", k)), real_delete(self, k)))
    publish(Destination.parse("s3://campaigns/d/campaign.csv"), [b"a\n"], manifest_of)
    assert calls == [("delete", "d/manifest.json"), ("put", "d/campaign.csv"), ("put", "d/manifest.json")]


def test_s3_kms_key_when_configured(s3, monkeypatch):
    kms = boto3.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("CAMPAIGN_KMS_KEY_ID", key_id)
    publish(Destination.parse("s3://campaigns/k/campaign.csv"), [b"a\n"], manifest_of)
    head = s3.head_object(Bucket="campaigns", Key="k/campaign.csv")
    assert head["ServerSideEncryption"] == "aws:kms"


def test_s3_missing_bucket_is_a_storage_error_and_leaves_nothing(s3):
    with pytest.raises(StorageError, match="NoSuchBucket"):
        publish(Destination.parse("s3://no-such-bucket/d/campaign.csv"), [b"a\n"], manifest_of)


def test_s3_manifest_failure_removes_the_csv(s3, monkeypatch):
    from storage import destinations

    real_put = destinations._S3.put_stream

    def failing_manifest(self, key, chunks, content_type):
        if key.endswith("manifest.json"):
            raise StorageError("AccessDenied")
        return real_put(self, key, chunks, content_type)

    monkeypatch.setattr(destinations._S3, "put_stream", failing_manifest)
    with pytest.raises(StorageError):
        publish(Destination.parse("s3://campaigns/d/campaign.csv"), [b"a\n"], manifest_of)
    assert s3.list_objects_v2(Bucket="campaigns").get("KeyCount", 0) == 0


def test_s3_large_output_is_one_completed_multipart_upload(s3, monkeypatch):
    from storage import destinations

    monkeypatch.setattr(destinations, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    payload = b"x" * (11 * 1024 * 1024)
    publish(Destination.parse("s3://campaigns/big/campaign.csv"), [payload[:4 << 20], payload[4 << 20:]], manifest_of)
    head = s3.head_object(Bucket="campaigns", Key="big/campaign.csv")
    assert head["ContentLength"] == len(payload) and "-" in head["ETag"]  # a multipart ETag
    assert head["ServerSideEncryption"] == "AES256"
    assert s3.list_multipart_uploads(Bucket="campaigns").get("Uploads", []) == []
