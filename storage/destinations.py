"""Atomic publication of the CSV and its manifest: local path, `s3://bucket/key`, or `-` (stdout).

Order: the old manifest goes first (the day is now incomplete), then the CSV,
then the new manifest (the day is complete). The CSV arrives as chunks (one
per job) and is hashed as it streams. A reader never sees a partial file:
local writes go to a temp file then `os.replace`; S3 writes are one PUT or a
completed multipart upload, with server-side encryption. On failure the CSV
just written is removed and StorageError raised.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import sys
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable

from contracts.errors import StorageError

MANIFEST_NAME = "manifest.json"
MULTIPART_THRESHOLD = 64 * 1024 * 1024


@dataclass(frozen=True)
class Destination:
    """Where a campaign goes. `kind` is local, s3 or stdout."""

    kind: str
    path: str  # local path, S3 key, or "-"
    bucket: str = ""

    @classmethod
    def parse(cls, out: str) -> "Destination":
        if out == "-":
            return cls("stdout", "-")
        if out.startswith("s3://"):
            bucket, _, key = out[5:].partition("/")
            if not bucket or not key or key.endswith("/"):
                raise ValueError("an S3 output must be s3://bucket/key.csv")
            return cls("s3", key, bucket)
        if out.endswith(os.sep):
            raise ValueError("a local output must name a file")
        return cls("local", os.path.abspath(out))

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.path}" if self.kind == "s3" else self.path

    @property
    def _paths(self):
        """S3 keys use / whatever the OS; local paths use the OS's rules."""
        return posixpath if self.kind == "s3" else os.path

    @property
    def manifest(self) -> "Destination":
        paths = self._paths
        return Destination(self.kind, paths.join(paths.dirname(self.path), MANIFEST_NAME), self.bucket)

    def with_prefix(self, prefix: str) -> "Destination":
        """The same name under `prefix/` beside the original (shadow runs)."""
        paths = self._paths
        return Destination(self.kind, paths.join(paths.dirname(self.path), prefix, paths.basename(self.path)),
                           self.bucket)


def publish(dest: Destination, chunks: Iterable[bytes], manifest_for: Callable[[str, int], bytes],
            dry_run: bool = False) -> tuple[str, int]:
    """Stream the CSV chunks to `dest`, then write the manifest built from (sha256, size).

    Returns (sha256, size). Dry-run only hashes. On any failure no new CSV is left behind.
    """
    if dry_run:
        return _copy(chunks, None)
    if dest.kind == "stdout":
        digest = _copy(chunks, sys.stdout.buffer)
        sys.stdout.flush()
        return digest
    store = _S3(dest.bucket) if dest.kind == "s3" else _Local()
    manifest = dest.manifest
    store.delete(manifest.path)
    digest = store.put_stream(dest.path, chunks, "text/csv; charset=utf-8")
    try:
        store.put_stream(manifest.path, [manifest_for(*digest)], "application/json")
    except StorageError:
        store.delete(dest.path)
        raise
    return digest


def _copy(chunks: Iterable[bytes], handle: BinaryIO | None) -> tuple[str, int]:
    """Write chunks to `handle` (if any); the sha256 and size of what went through."""
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if handle is not None:
            handle.write(chunk)
    return digest.hexdigest(), size


class _Local:
    def put_stream(self, path: str, chunks: Iterable[bytes], content_type: str) -> tuple[str, int]:
        directory = os.path.dirname(path)
        tmp = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=directory)
            with os.fdopen(fd, "wb") as handle:
                digest = _copy(chunks, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
            return digest
        except OSError as exc:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
            raise StorageError(f"cannot write {os.path.basename(path)} in {directory} "
                               f"({type(exc).__name__}: {exc.strerror or exc})") from None

    def delete(self, path: str) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(f"cannot remove {path} ({exc.strerror})") from None


class _S3:
    def __init__(self, bucket: str):
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3")

    def _extra(self, content_type: str) -> dict:
        kms_key = os.environ.get("CAMPAIGN_KMS_KEY_ID")
        sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key} if kms_key \
            else {"ServerSideEncryption": "AES256"}
        return {"ContentType": content_type, **sse}

    def put_stream(self, key: str, chunks: Iterable[bytes], content_type: str) -> tuple[str, int]:
        """Spool to a temp file (hashing), then one PUT below the threshold, else a multipart
        upload that completes or is aborted: readers never see part of it."""
        from boto3.exceptions import S3UploadFailedError
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        with tempfile.TemporaryFile() as spool:
            digest = _copy(chunks, spool)
            spool.seek(0)
            try:
                self.client.upload_fileobj(spool, self.bucket, key, ExtraArgs=self._extra(content_type),
                                           Config=TransferConfig(multipart_threshold=MULTIPART_THRESHOLD))
            except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
                raise StorageError(f"cannot write s3://{self.bucket}/{key} ({_aws_reason(exc)}): "
                                   "check s3:PutObject and AWS credentials") from None
        return digest

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"cannot remove s3://{self.bucket}/{key} ({_aws_reason(exc)}): "
                               "check the bucket, s3:DeleteObject and AWS credentials") from None


def _aws_reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code", type(exc).__name__)
    return type(exc).__name__
