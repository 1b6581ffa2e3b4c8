"""Call the simulator in-process (ASGI) for fast, deterministic tests."""

from __future__ import annotations

import asyncio

import httpx

AUTH = ("sim", "sim-password")


def call(app, path: str, *, auth=AUTH, method: str = "GET", json=None) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, path, auth=auth, json=json)

    return asyncio.run(go())


def collect(app, path: str) -> list:
    """Follow `meta.next` / `next` like a careful client; return every item."""
    items, url = [], path
    base = path.split("/api/v1/")[0] + "/api/v1/"
    while url:
        body = call(app, url).json()
        items.extend(body["data"])
        link = (body.get("meta") or {}).get("next") or body.get("next")
        if link and link.startswith("http"):
            link = "/" + link.split("/", 3)[3]
        elif link and not link.startswith("/"):
            link = base + link
        url = link
    return items
