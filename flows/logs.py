"""JSON logs on stderr with PII redaction; wired into Prefect's own logging config (logging.yml).

The first line of defence is never logging PII (subject ids only through
`hashed_id`); `RedactFilter`, set on every handler, is the second: it masks
anything that looks like an email or a phone number in messages, string
extras and tracebacks.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

LOGGING_YML = Path(__file__).with_name("logging.yml")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w-])(?:\+\d{8,15}|(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4})(?![\w-])"
)
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    return PHONE.sub("[redacted-phone]", EMAIL.sub("[redacted-email]", text))


def hashed_id(value: str) -> str:
    """How a person's id may appear in a log: `hash:` + 8 hex of its SHA-256."""
    return "hash:" + hashlib.sha256(value.encode()).hexdigest()[:8]


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, then the extras (event, counts)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "timestamp"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))


def use_project_logging() -> None:
    """Point Prefect at this project's logging config; call before Prefect is imported."""
    os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(LOGGING_YML))
