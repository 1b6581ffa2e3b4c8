"""Phone normalisation to E.164 with the `phonenumbers` library."""

from __future__ import annotations

import functools

import phonenumbers

DEFAULT_REGION = "US"


@functools.lru_cache(maxsize=65536)
def to_e164(raw: str, country: str = "") -> str | None:
    """E.164 for a valid number, else None. Region from `country` when it names one, else US."""
    raw = (raw or "").strip()
    if not raw:
        return None
    region = country.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = DEFAULT_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
