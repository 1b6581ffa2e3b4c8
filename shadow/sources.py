"""Open a CSV for streaming text reads from a local path or an `s3://` URI (unreadable: StorageError)."""

from __future__ import annotations

import contextlib
import io

from contracts.errors import StorageError


@contextlib.contextmanager
def open_text(uri: str):
    if uri.startswith("s3://"):
        handle = _open_s3(uri)
    else:
        try:
            handle = open(uri, encoding="utf-8", newline="")
        except OSError as exc:
            raise StorageError(f"cannot read {uri} ({type(exc).__name__}: {exc.strerror})") from None
    with handle:
        yield handle


def _open_s3(uri: str) -> io.TextIOWrapper:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = uri[5:].partition("/")
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise StorageError(f"cannot read {uri} ({code}): check s3:GetObject and AWS credentials") from None
    except BotoCoreError as exc:
        raise StorageError(f"cannot read {uri} ({type(exc).__name__}): check AWS credentials") from None
    return io.TextIOWrapper(body, encoding="utf-8", newline="")
