"""Turn a payload's validation error into a PII-free ContractError."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from contracts.errors import ContractError

M = TypeVar("M", bound=BaseModel)


def parse_payload(model: type[M], payload: Any, what: str) -> M:
    """Validate `payload`; the error names fields and error types, never the values."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problems = sorted({
            f"{'.'.join(str(p) for p in e.get('loc', ()) if not isinstance(p, int)) or 'payload'}: {e['type']}"
            for e in exc.errors(include_input=False, include_url=False)
        })
        raise ContractError(f"{what} breaks its model ({exc.error_count()} errors): {'; '.join(problems[:5])}") from None
