"""In-process servers that host the lesson site off the caller's thread.

Both have the shape of :class:`~simulator.hosting.servers.base.Server`: ``submit`` a request, get
the :class:`~simulator.hosting.servers.base.Answer` to come, ``cancel`` it, ``close`` the server.
"""

from __future__ import annotations

from simulator.hosting.servers.asgi import AsgiServer
from simulator.hosting.servers.base import Server, SiteRequest, SiteResponse
from simulator.hosting.servers.wsgi import WsgiServer

__all__ = ["AsgiServer", "Server", "SiteRequest", "SiteResponse", "WsgiServer"]
