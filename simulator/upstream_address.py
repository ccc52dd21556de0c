"""An upstream URL a scenario may name: checked up front, loopback unless a host is allowed.

A scenario file is handed around (a teacher to 40 students), so a URL in it must not be able
to send thousands of GETs to a stranger's server: only this machine is called unless the
person running it names the host with ``--allow-host``. A URL that can never work is refused
before the run, and credentials are refused outright, so they can never be echoed into a
summary, a JSON file, a CSV row or a trace.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

from simulator.errors import ScenarioError

__all__ = ["LOOPBACK_NAMES", "check_upstream_url", "is_loopback", "refuse_unless_allowed"]

#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _split(url: str) -> SplitResult:
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ScenarioError(
            "upstream_url must not hold spaces or control characters", key="upstream_url"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        raise ScenarioError(
            f"upstream_url is not a usable URL: {exc}", key="upstream_url"
        ) from None
    return parts


def check_upstream_url(url: str) -> None:
    """Refuse a URL that can never work, or that carries credentials.

    Raises
    ------
    ScenarioError
        Keyed ``upstream_url``; the message never repeats a password.
    """
    parts = _split(url)
    if parts.scheme not in ("http", "https"):
        raise ScenarioError("upstream_url must start with http:// or https://", key="upstream_url")
    if parts.username is not None or parts.password is not None:
        raise ScenarioError(
            "upstream_url must not carry a user name or password (user:password@); "
            "they would be written into every output",
            key="upstream_url",
        )
    if not parts.hostname:
        raise ScenarioError(
            "upstream_url names no host (e.g. http://127.0.0.1:8001)", key="upstream_url"
        )
    if parts.port == 0:
        raise ScenarioError("upstream_url: port 0 can never be reached", key="upstream_url")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine, without asking any DNS."""
    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_unless_allowed(url: str | None, allowed: Iterable[str] = ()) -> None:
    """Refuse an upstream that is not this machine unless its host is in ``allowed``.

    Raises
    ------
    ScenarioError
        Naming the host and the flag that would allow it.
    """
    if url is None:
        return
    host = (_split(url).hostname or "").lower()
    if is_loopback(host) or host in {name.lower().strip("[]") for name in allowed}:
        return
    raise ScenarioError(
        f"upstream_url calls {host}, which is not this machine; to allow it, add "
        f"--allow-host {host}",
        key="upstream_url",
    )
