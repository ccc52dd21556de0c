"""An upstream URL a scenario may name: checked up front, loopback unless a host is allowed.

A scenario file is handed around (a teacher to 40 students), so a URL in it must not be able
to send thousands of GETs to a stranger's server: only this machine is called unless the
person running it names the host with ``--allow-host``. "This machine" is decided by what
the host resolves to, never by its name (``embedded_site.loopback``: every address loopback,
asked now); the site asks again, and pins the address, for every upstream call. A URL that
can never work is refused before the run, and credentials are refused outright, so they can
never be echoed into a summary, a JSON file, a CSV row or a trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

from embedded_site.loopback import is_loopback
from simulator.errors import ScenarioError

__all__ = [
    "check_upstream_url",
    "allowed_by_name",
    "is_loopback",
    "refuse_unless_allowed",
    "upstream_any_host",
    "url_host",
]


def _split(url: str, key: str = "upstream_url") -> SplitResult:
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ScenarioError(f"{key} must not hold spaces or control characters", key=key)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in url):  # bytes the terminal could not decode
        raise ScenarioError(f"{key} holds bytes that are not UTF-8 text", key=key)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        raise ScenarioError(f"{key} is not a usable URL: {exc}", key=key) from None
    return parts


def check_upstream_url(url: str, *, key: str = "upstream_url") -> None:
    """Refuse a URL that can never work, or that carries credentials.

    Raises
    ------
    ScenarioError
        Keyed ``upstream_url``; the message never repeats a password.
    """
    parts = _split(url, key)
    if parts.scheme not in ("http", "https"):
        raise ScenarioError(f"{key} must start with http:// or https://", key=key)
    if parts.username is not None or parts.password is not None:
        raise ScenarioError(
            f"{key} must not carry a user name or password (user:password@); "
            "they would be written into every output",
            key=key,
        )
    if not parts.hostname:
        raise ScenarioError(f"{key} names no host (e.g. http://127.0.0.1:8001)", key=key)
    if parts.port == 0:
        raise ScenarioError(f"{key}: port 0 can never be reached", key=key)


def url_host(url: str | None) -> str | None:
    """The host ``url`` names (lower case), or ``None``: ``--url``'s host counts as allowed,
    since the person running it named it."""
    if url is None:
        return None
    return (_split(url, "url").hostname or "").lower() or None


def allowed_by_name(url: str, allowed: Iterable[str]) -> bool:
    """Whether the person running it named ``url``'s host (``--allow-host``, or a ``--url``
    typed on the command line): then it may be called wherever it resolves. Any other host
    is called only at an address its one resolution found loopback
    (:func:`simulator.hosting.http_client.open_target`)."""
    host = (_split(url, "url").hostname or "").lower()
    return host in {name.lower().strip("[]").rstrip(".") for name in allowed}


def refuse_unless_allowed(
    url: str | None, allowed: Iterable[str] = (), *, key: str = "upstream_url"
) -> None:
    """Refuse a URL (an upstream, a site to load) that is not this machine unless its host
    is in ``allowed``.

    Raises
    ------
    ScenarioError
        Naming the host and the flag that would allow it.
    """
    if url is None:
        return
    host = (_split(url, key).hostname or "").lower()
    if allowed_by_name(url, allowed) or is_loopback(host):
        return
    shown = host if len(host) <= 80 else host[:77] + "..."
    raise ScenarioError(
        f"{key} calls {shown}, which does not resolve to this machine only; to allow it, "
        f"add --allow-host {shown}",
        key=key,
    )


def upstream_any_host(url: str, allowed: Iterable[str] = ()) -> bool:
    """Whether the site may call ``url``'s host wherever it resolves: only when the person
    running it named that host (``--allow-host``: :func:`allowed_by_name`). Any other host
    is checked, and pinned, by the site at every call, so a resolver that answered loopback
    to :func:`refuse_unless_allowed` and changes its mind later (mid-run, or between that
    check and this one) cannot send a call off the machine."""
    return allowed_by_name(url, allowed)
