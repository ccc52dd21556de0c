"""Whether the window has a display to open on, asked before Qt is: Qt's xcb platform aborts
the whole process (SIGABRT, exit 134) with a message about plugins when ``DISPLAY`` is set
but nothing answers there, and when nothing is set at all.

X11 is checked by connecting first (quick, and a clear message). Then, unless the platform
is one that needs no display (offscreen, minimal), Qt itself is asked in a child process
whether its platform starts: a Wayland-only session, a ``QT_QPA_PLATFORM`` naming a plugin
that cannot start, or a ``DISPLAY`` whose port accepts and then closes connections (a dead
``ssh -X`` forward) abort the child, not us, and become one line.
"""

from __future__ import annotations

import os
import socket
import subprocess
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


#: Platforms that need no display, and start wherever Qt is installed.
HEADLESS_PLATFORMS = ("offscreen", "minimal")
#: How long Qt's platform may take to start in the child before it is called stuck.
PROBE_TIMEOUT_S = 15.0
_PROBE = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "print(app.platformName())\n"
)


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """One line saying why the window cannot open, or ``None`` when it can."""
    env = dict(os.environ if environ is None else environ)
    problem = _display_problem(env)
    if problem is None and not env.get("QT_QPA_PLATFORM", "").startswith(HEADLESS_PLATFORMS):
        problem = _platform_problem(env)
    return problem


def _platform_problem(env: dict[str, str]) -> str | None:
    """Start Qt's platform in a child process; why it could not, or ``None``."""
    platform = env.get("QT_QPA_PLATFORM") or "the default"
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return (
            f"cannot open the window: Qt's platform ({platform}) did not start within "
            f"{PROBE_TIMEOUT_S:g} s"
        )
    except OSError as exc:
        return f"cannot open the window: {exc.strerror or exc}"
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    said = next((line for line in lines if "platform" in line.lower()), lines[0] if lines else "")
    said = said if len(said) <= 80 else said[:77] + "..."
    hint = "; pictures need none: async-lanes run ... --png out.png"
    return f"cannot open the window: Qt's platform ({platform}) could not start: {said}{hint}"


def _display_problem(env: dict[str, str]) -> str | None:
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
