"""Whether a host is this machine: every address it resolves to is loopback, asked now.

A name is never trusted for what it says: ``localhost`` in a hosts file (or a resolver) may
map anywhere, and a URL handed around in a lesson file must not send thousands of requests
off the machine. So a host is loopback when it resolves, *at the moment it is asked*, only
to loopback addresses (127.0.0.0/8, ::1, and IPv4-mapped forms of them), and
:func:`pinned` hands the caller the very address that was checked, so a second resolution
cannot send the request elsewhere. The site (the lesson upstream, per request) and the
engine (``--url``, ``--allow-host``, a scenario file's URLs) share this one rule; it needs
nothing but the standard library.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

__all__ = ["NotLoopback", "is_loopback", "loopback_addresses", "pinned"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class NotLoopback(ValueError):
    """A host that does not resolve to this machine only."""


def _is_loopback(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _addresses(host: str) -> list[Address]:
    host = host.strip("[]").rstrip(".")
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    infos = _resolve(host)
    found: list[Address] = []
    for *_, sockaddr in infos:
        try:
            found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))  # type: ignore[index]
        except ValueError:
            return []  # an address we cannot read is not known to be ours
    return found


#: The longest a name may take to resolve; a resolver that does not answer means "not known
#: to be this machine" (a refusal in one line), never a command waiting on DNS.
RESOLVE_TIMEOUT_S = 5.0


def _resolve(host: str) -> list[tuple[object, ...]]:
    """``getaddrinfo`` on a daemon thread, waited for at most :data:`RESOLVE_TIMEOUT_S`."""
    result: list[list[tuple[object, ...]]] = []

    def ask() -> None:
        try:
            result.append(list(socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)))
        except (OSError, UnicodeError, ValueError):
            result.append([])

    thread = threading.Thread(target=ask, name="resolve", daemon=True)
    thread.start()
    thread.join(RESOLVE_TIMEOUT_S)
    return result[0] if result else []


def loopback_addresses(host: str) -> list[Address]:
    """The addresses ``host`` resolves to now, if every one is loopback.

    Raises
    ------
    NotLoopback
        When it resolves to nothing, or to any address that is not loopback.
    """
    found = _addresses(host)
    if not found:
        raise NotLoopback(f"{host[:80]} does not resolve to any address")
    strangers = [address for address in found if not _is_loopback(address)]
    if strangers:
        raise NotLoopback(f"{host[:80]} resolves to {strangers[0]}, which is not this machine")
    return found


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` resolves to now is this machine's loopback."""
    try:
        loopback_addresses(host)
    except NotLoopback:
        return False
    return True


def pinned(url: str) -> tuple[str, dict[str, str]]:
    """``url`` with its host replaced by the loopback address it resolves to now, and the
    ``Host`` header that keeps what the URL named: the request goes exactly where it was
    checked. An ``https`` URL keeps its name (the certificate is for it), checked only.

    Raises
    ------
    NotLoopback
        The URL's host is not this machine only.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = loopback_addresses(host)[0]
    if parts.scheme != "http" or str(address) == host.strip("[]"):
        return url, {}
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": parts.netloc}
