"""The allow-list of Netlife portals (PORTAL_API.md) and the PORTALS narrowing."""

from __future__ import annotations

import os

from contracts.errors import ContractError

PORTAL_BRANDS = {
    "nowandforeverphoto": "Generations",
    "generationsphotos": "Generations",
    "nowandgen": "Generations",
    "legacyseniorphotos": "Legacy",
    "legacyphoto": "Legacy",
    "legacyphotos": "Legacy",
    "westpointportraits": "Legacy",
    "midshipmenportraits": "Legacy",
    "coastguardportraits": "Legacy",
}


def check_portals(portals: list[str]) -> list[str]:
    unknown = sorted(set(portals) - set(PORTAL_BRANDS))
    if unknown:
        raise ContractError(f"unknown portal key(s) {', '.join(unknown)}; allowed: {', '.join(PORTAL_BRANDS)}")
    if not portals:
        raise ContractError("no portal selected")
    return list(dict.fromkeys(portals))


def default_portals() -> list[str]:
    """The allow-list, narrowed by PORTALS=a,b when set."""
    narrowed = [p.strip() for p in os.environ.get("PORTALS", "").split(",") if p.strip()]
    return check_portals(narrowed) if narrowed else list(PORTAL_BRANDS)
