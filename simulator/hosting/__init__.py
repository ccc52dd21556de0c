"""Hosting the site and driving it: in-process ASGI/WSGI servers, the httpx transport into
them, the client driver, the loop monitor, the slow upstream, and the engine that runs a
scenario end to end. The only package here that boots Django.

httpx's own command-line client is kept from loading. ``import httpx`` runs
``from ._main import main`` inside ``try: ... except ImportError:`` (httpx 0.28; its CLI's
extras may be absent, and then ``httpx.main`` is a stub that says how to install them), and
``httpx/_main.py`` imports click, Pygments' lexers and rich at its top. A run needs none of
them, but click comes with uvicorn (the servers extra) and rich with the development tools,
so every process that runs a scenario paid for them: 20–40 ms for click and the lexers, and
75–195 ms with rich as well (``python -X importtime -c "import httpx"``, median of 9, on a
shared machine at load 6–12). A ``None`` in
:data:`sys.modules` is the import system's documented way to say a module is not to be
imported (the language reference, "The module cache": "if the value is None, then a
ModuleNotFoundError is raised"), which httpx takes as an absent extra. ``setdefault``: a
process that has already loaded the CLI keeps it. ``tests/simulator/
test_httpx_cli_kept_out.py`` checks against the httpx installed that httpx still imports and
works this way, and that its CLI would otherwise still load (when it no longer does, this
line can go)."""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "do not import"
