"""Typed failures; each maps to the exit code operators act on (see OPERATIONS.md)."""


class CampaignError(Exception):
    """Base class. Messages must never carry PII: counts, classes and hashed ids only."""

    exit_code = 1
    action = "This is a bug: report it with the flow run id."


class ContractError(CampaignError):
    """Input or data breaks the CSV/JSON contract. Never retried."""

    exit_code = 10
    action = "Check the arguments and the portal payloads against the CSV contract."


class UpstreamError(CampaignError):
    """A portal failed or answered unusably after the client's retries."""

    exit_code = 20
    action = "Check the portal API status, then retry (e.g. --retries 5)."

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class StorageError(CampaignError):
    """The output could not be written (S3 permissions, disk space)."""

    exit_code = 30
    action = "Check S3 permissions (s3:PutObject), credentials and disk space."
