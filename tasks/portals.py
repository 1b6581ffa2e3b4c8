"""Where a task finds a portal's client: settings from the environment, or a NetlifePortal block."""

from __future__ import annotations

import os

from blocks.client import PortalClient, client_for
from blocks.settings import settings_from_env


def portal_client(portal: str) -> PortalClient:
    """NETLIFE_PORTAL_BLOCK_PREFIX=netlife loads block `netlife-<portal>`; otherwise the environment."""
    prefix = os.environ.get("NETLIFE_PORTAL_BLOCK_PREFIX")
    if prefix:
        from blocks.netlife import NetlifePortal

        return client_for(NetlifePortal.load(f"{prefix}-{portal}").settings())
    return client_for(settings_from_env(portal))
