"""Serve a `PortalSimulator` over real HTTP on 127.0.0.1, in a thread or as a process."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass

import uvicorn

from portal_sim.app import PortalSimulator


def bind_loopback(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: the OS picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    return sock


def make_server(app: PortalSimulator) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_keep_alive=30, backlog=1024)
    return uvicorn.Server(config)


@dataclass
class RunningSimulator:
    app: PortalSimulator
    url: str  # http://127.0.0.1:PORT

    def base_url_template(self) -> str:
        """The client's NETLIFE_BASE_URL for this simulator."""
        return self.url + "/{portal}/api/v1"


@contextlib.contextmanager
def run_in_thread(app: PortalSimulator):
    """Serve `app` on a free loopback port for the duration of the block (tests)."""
    sock = bind_loopback()
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("portal simulator failed to start")
            threading.Event().wait(0.01)
        yield RunningSimulator(app=app, url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
