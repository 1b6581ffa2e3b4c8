"""`NetlifePortal`: a Prefect block holding one portal's settings, so deployments configure portals in the UI."""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from blocks.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_IN_FLIGHT,
    Credentials,
    PortalSettings,
    credentials_from_env,
    load_secret,
)


class NetlifePortal(Block):
    """A Netlife photo portal: API base URL template, where its credentials live, its request budget."""

    _block_type_name = "Netlife Portal"
    _block_type_slug = "netlife-portal"

    portal: str = Field(description="Portal key from the allow-list, e.g. legacyphoto.")
    base_url_template: str = Field(DEFAULT_BASE_URL, description="API root; {portal} is replaced.")
    secret_arn: str | None = Field(None, description="Secrets Manager secret with the portal credentials.")
    username: str | None = None
    password: SecretStr | None = None
    rate_limit_per_sec: float | None = Field(None, description="Overrides the secret's rate_limit_per_sec.")
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    timeout_s: float | None = None

    def settings(self) -> PortalSettings:
        if self.secret_arn:
            creds = load_secret(self.secret_arn)
        elif self.username and self.password:
            creds = Credentials(self.username, self.password.get_secret_value())
        else:
            creds = credentials_from_env()
        return PortalSettings(
            portal=self.portal,
            base_url=self.base_url_template.format(portal=self.portal).rstrip("/"),
            credentials=creds,
            rate_limit_per_sec=self.rate_limit_per_sec or creds.rate_limit_per_sec,
            max_in_flight=self.max_in_flight,
            timeout_s=self.timeout_s or creds.timeout_s,
        )
