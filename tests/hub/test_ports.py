"""hub/spawners.py's server_port: a student's server listens below the ephemeral range, where a
daphne bound to port 0 or an outgoing connection elsewhere on the host never lands."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hub import spawners


def test_a_port_below_the_hosts_ephemeral_range_and_free() -> None:
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {spawners.server_port() for _ in range(50)}
    assert all(spawners.LOWEST_SERVER_PORT <= port < first_ephemeral for port in ports)
    assert len(ports) > 40  # spread out: two hubs on one host rarely pick the same
    with socket.socket() as server:
        server.bind(("", ports.pop()))  # free when picked


def test_a_port_in_use_is_never_given(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("", 0))
        monkeypatch.setattr(spawners.random, "choice", lambda ports: taken.getsockname()[1])
        with pytest.raises(RuntimeError, match="no free port"):
            spawners.server_port(attempts=3)
