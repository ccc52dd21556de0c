"""The process environment Qt is started in, made sane first (no Qt imported here).

- ``LC_ALL=C`` (or any locale whose characters are not UTF-8): Qt switches to ``C.UTF-8``
  itself and prints a warning about it on every start; we switch first, silently. (Python
  does the same for ``LANG=C`` alone, PEP 538, but not when ``LC_ALL`` is set.)
- No ``HOME``: Qt takes ``/`` for the home folder and writes the settings to ``/.config``
  (and fontconfig its cache to ``/.cache``). The folders then go in a folder of the
  temporary folder instead: settings last as long as it does, and nothing is written
  outside it.
"""

from __future__ import annotations

import locale
import os
import tempfile
from pathlib import Path

__all__ = ["prepare_qt_environment"]


def prepare_qt_environment() -> None:
    """Call before the ``QApplication`` is made (safe to call again)."""
    try:
        codeset = locale.nl_langinfo(locale.CODESET)
    except (AttributeError, ValueError):  # no nl_langinfo (Windows)
        codeset = "UTF-8"
    if codeset.replace("-", "").upper() != "UTF8":
        os.environ["LC_ALL"] = "C.UTF-8"
        os.environ.pop("LANGUAGE", None)
    if not os.environ.get("HOME"):
        user = os.getuid() if hasattr(os, "getuid") else os.getpid()
        home = Path(tempfile.gettempdir()) / f"async-lanes-home-{user}"
        home.mkdir(mode=0o700, exist_ok=True)
        os.environ["HOME"] = str(home)
        for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache")):
            os.environ.setdefault(name, str(home / sub))
