"""Text from outside (a title typed by a teacher, a site's error, a server's thread name)
made fit to draw: SVG is XML, which cannot carry control characters, and a window draws
them as boxes."""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]


def printable(text: str) -> str:
    """``text`` with each run of control characters and whitespace made one space."""
    return " ".join(
        "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split()
    )
