"""A faithful Netlife portal simulator: seeded data, loopback HTTP, injectable faults."""

from portal_sim.app import DEFAULT_PASSWORD, DEFAULT_USERNAME, Knobs, PortalSimulator
from portal_sim.data import World, WorldConfig, generate
from portal_sim.server import RunningSimulator, run_in_thread

__all__ = [
    "DEFAULT_PASSWORD", "DEFAULT_USERNAME", "Knobs", "PortalSimulator", "RunningSimulator",
    "World", "WorldConfig", "generate", "run_in_thread",
]
