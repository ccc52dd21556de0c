"""What a run is asked besides its scenario, in one place for both ways of running it.

:class:`~simulator.hosting.engine.LiveRun` (the site in this process) hands a scenario over
sockets to :class:`~simulator.hosting.socket_run.SocketLiveRun` with the same options: one
frozen record, so an option added here reaches both without a second signature to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PLAIN", "RunOptions"]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to reach the site, beyond the dials (the command line's ``--header``,
    ``--allow-host``, and a ``--url`` typed there)."""

    #: Sent with every request to the scenario's ``url`` (a cookie for a logged-in page);
    #: never to the lesson site.
    headers: tuple[tuple[str, str], ...] = ()
    #: Hosts the ``url`` (and the upstream) may name wherever they resolve; any other is
    #: connected to only at an address checked, as it is resolved, to be loopback.
    allowed_hosts: tuple[str, ...] = ()


#: No headers and no host allowed by name: a lesson's run on this machine.
PLAIN = RunOptions()
