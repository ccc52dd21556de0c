"""Text from outside (a title typed by a teacher, a site's error, a server's thread name)
made fit to draw: SVG is XML, which cannot carry control characters, and a window draws
them as boxes."""

from __future__ import annotations

import unicodedata

__all__ = ["printable", "terminal_safe"]

#: Characters that change what a terminal shows, not text: bidirectional overrides.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` with each run of control characters and whitespace made one space."""
    if text.isascii() and text.isprintable():  # most text, and 10,000 threads' names: fast
        return " ".join(text.split())
    return " ".join(
        "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split()
    )


def terminal_safe(text: str) -> str:
    """``text`` for a terminal: control characters (ESC, BEL, a lone CR...) and bidirectional
    overrides from a lesson title or a site's error shown as ``?``, so they can neither ring,
    recolour, move the cursor nor hide what follows; line breaks and tabs kept."""
    return "".join(
        "?" if ch not in "\n\t" and (unicodedata.category(ch) == "Cc" or ch in _BIDI) else ch
        for ch in text
    )
