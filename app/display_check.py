"""Whether the window has a display to open on, asked before Qt is: Qt's xcb platform aborts
the whole process (SIGABRT, exit 134) with a message about plugins when ``DISPLAY`` is set
but nothing answers there, and when nothing is set at all.

Only X11 is checked by connecting; Wayland, macOS and Windows are left to Qt.
"""

from __future__ import annotations

import os
import socket
import sys

__all__ = ["display_problem"]


def _x_display_answers(display: str) -> bool:
    """Whether an X server accepts a connection at ``display`` (``:0``, ``host:1.0``)."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    try:
        if host in ("", "unix"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                try:
                    sock.connect(f"/tmp/.X11-unix/X{number}")
                except OSError:
                    # Linux's abstract socket, which Xvfb and Xorg also listen on.
                    sock.connect(f"\0/tmp/.X11-unix/X{number}")
            return True
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """One line saying why the window cannot open, or ``None`` when it can (or we cannot
    tell: then Qt decides)."""
    env = dict(os.environ if environ is None else environ)
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, eglfs...: the person chose
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        if env.get("WAYLAND_DISPLAY") and not platform:
            return None
        return (
            "no display to open the window on (DISPLAY is not set); pictures need none: "
            "async-lanes run ... --png out.png"
        )
    if "/" in display and not display.startswith(("unix", ":")):
        return None  # a launchd socket path (XQuartz): let Qt try
    if not _x_display_answers(display):
        return (
            f"cannot open the window: no X server answers at DISPLAY={display}; pictures "
            "need none: async-lanes run ... --png out.png"
        )
    return None
