"""What a build selects: audience, contact filter, registered users. Part of every cache key."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

Audience = Literal["buyers", "non-buyers", "both"]
ContactFilter = Literal["phone-only", "email-only", "any"]


class BuildOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    audience: Audience = "both"
    contact_filter: ContactFilter = "phone-only"
    check_registered_users: bool = True
    registered_only: bool = False

    @model_validator(mode="after")
    def _registered_only_needs_users(self):
        if self.registered_only and not self.check_registered_users:
            raise ValueError("registered_only needs check_registered_users")
        return self

    @property
    def wants_buyers(self) -> bool:
        return self.audience in ("buyers", "both")

    @property
    def wants_non_buyers(self) -> bool:
        return self.audience in ("non-buyers", "both")
