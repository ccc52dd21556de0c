"""Hosting the site and driving it: in-process ASGI/WSGI servers, the httpx transport into
them, the client driver, the loop monitor, the slow upstream, and the engine that runs a
scenario end to end. The only package here that boots Django.

httpx's own command-line client (``httpx._main``) is kept from loading: ``import httpx``
tries it, and where its extras are installed (rich, click: in a development environment)
that costs a tenth of a second or more of every command's start for a client never used
here. A ``None`` in ``sys.modules`` makes that import fail at once, which httpx expects
(its extras may be absent) and answers with a stub."""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "do not import"
