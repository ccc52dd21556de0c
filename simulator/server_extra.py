"""Whether the real servers (the ``servers`` extra: uvicorn, gunicorn) are installed.

Light on purpose: the command line's help and the window's Server choice ask it without
importing the servers, httpx or Django. A missing server is never hidden: it is listed as
unavailable, with the command that installs it.
"""

from __future__ import annotations

import importlib.util

__all__ = ["INSTALL_COMMAND", "INSTALL_HINT", "missing_server"]

#: How to get the real servers.
INSTALL_COMMAND = "pip install 'django-async-lanes[servers]'"
INSTALL_HINT = f"{INSTALL_COMMAND} (uvicorn and gunicorn)"


def missing_server(mode: str) -> str | None:
    """Why ``mode`` cannot run here (its package is not installed), or ``None``."""
    if mode in ("uvicorn", "gunicorn") and importlib.util.find_spec(mode) is None:
        return f"{mode} is not installed: {INSTALL_HINT}"
    return None
