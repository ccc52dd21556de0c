"""Whether the window has a display to open on, asked before Qt is: Qt's xcb platform aborts
the whole process (SIGABRT, exit 134) with a message about plugins when ``DISPLAY`` is set
but nothing answers there, and when nothing is set at all.

X11 is checked first, in a few ms: a connection and the X11 connection setup (with the
display's cookie from the Xauthority file), which tells a working server from none and from
a ``DISPLAY`` whose port accepts and then closes connections (a dead ``ssh -X`` forward);
and whether Qt's xcb plugin and its libraries load. When both are fine, that is the answer.
Otherwise (a Wayland-only session, a ``QT_QPA_PLATFORM`` of the person's choosing, a server
wanting credentials we did not find, a plugin that does not load), unless the platform needs
no display (offscreen, minimal), Qt itself is asked in a child process whether its platform
starts: a platform that cannot start aborts the child, not us, and becomes one line.

The child takes a few hundred ms (Qt imported and started once more), so the window starts
it with :func:`start_display_check` and imports its own code meanwhile, asking for the
answer (:meth:`DisplayCheck.result`) only before it makes its QApplication.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import time

__all__ = ["DisplayCheck", "display_problem", "start_display_check"]


#: What :func:`_x_greeting` found at a display.
NO_SERVER, HUNG_UP, TOOK_US, UNSURE = "no server", "hung up", "took us", "unsure"


def _x_greeting(display: str, env: dict[str, str]) -> str:
    """Connect to the X server at ``display`` (``:0``, ``host:1.0``) and send the X11
    connection setup, with this display's cookie when the Xauthority file holds one.

    ``TOOK_US``: it accepted the setup, so Qt's xcb platform will connect (no probe
    needed); ``HUNG_UP``: it accepted the connection then closed it or said nothing (a dead
    ``ssh -X`` forward); ``NO_SERVER``: nothing listens; ``UNSURE``: it wants credentials
    we could not find (Qt's probe decides)."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return NO_SERVER
    try:
        if host in ("", "unix"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(1.0)
            try:
                sock.connect(f"/tmp/.X11-unix/X{number}")
            except OSError:
                # Linux's abstract socket, which Xvfb and Xorg also listen on.
                sock.connect(f"\0/tmp/.X11-unix/X{number}")
        else:
            sock = socket.create_connection((host, 6000 + int(number)), timeout=1.0)
    except OSError:
        return NO_SERVER
    with sock:
        name, data = _x_cookie(number, env)
        pad = lambda b: b + bytes(-len(b) % 4)  # noqa: E731 - the protocol's 4-byte padding
        setup = struct.pack("<cxHHHHxx", b"l", 11, 0, len(name), len(data))
        try:
            sock.sendall(setup + pad(name) + pad(data))
            answer = sock.recv(1)
        except OSError:
            return HUNG_UP
    if not answer:
        return HUNG_UP
    return TOOK_US if answer == b"\x01" else UNSURE


def _x_cookie(number: str, env: dict[str, str]) -> tuple[bytes, bytes]:
    """The MIT-MAGIC-COOKIE-1 for display ``number`` of this host in the Xauthority file
    (``XAUTHORITY``, else ``~/.Xauthority``), or none."""
    path = env.get("XAUTHORITY") or os.path.join(env.get("HOME") or "/", ".Xauthority")
    try:
        with open(path, "rb") as file:
            data = file.read(1_000_000)
    except OSError:
        return b"", b""
    here = socket.gethostname().encode()
    at = 0
    while at + 2 <= len(data):
        family = struct.unpack_from(">H", data, at)[0]
        at += 2
        fields = []
        for _ in range(4):  # address, display number, auth name, auth data
            if at + 2 > len(data):
                return b"", b""
            size = struct.unpack_from(">H", data, at)[0]
            fields.append(data[at + 2 : at + 2 + size])
            at += 2 + size
        address, display, name, cookie = fields
        local = family == 65535 or (family == 256 and address == here)  # Wild, Local
        if local and display in (number.encode(), b"") and name == b"MIT-MAGIC-COOKIE-1":
            return name, cookie
    return b"", b""


def _xcb_plugin_loads() -> bool:
    """Whether Qt's xcb platform plugin and every library it needs load (libxcb-cursor0
    missing is the usual reason Qt aborts on a working X server), without starting Qt."""
    import ctypes
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = os.path.join(folder, "Qt", "plugins", "platforms", "libqxcb.so")
        if os.path.exists(plugin):
            try:
                ctypes.CDLL(plugin)
            except OSError:
                return False
            return True
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
    with start_display_check(environ) as check:
        return check.result()


class DisplayCheck:
    """A display check under way: the quick X answer known, Qt's probe child (if one is
    needed) running. Use it as a context manager: leaving it ends a child not waited for."""

    def __init__(self, problem: str | None, probe: bool, env: dict[str, str]) -> None:
        self._problem = problem
        self._platform = env.get("QT_QPA_PLATFORM") or "the default"
        self._child: subprocess.Popen[str] | None = None
        self._deadline = time.monotonic() + PROBE_TIMEOUT_S
        if problem is None and probe:
            try:
                self._child = subprocess.Popen(
                    [sys.executable, "-c", _PROBE],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,  # a few lines: Qt's reason, when it fails
                    text=True,
                    errors="replace",
                )
            except OSError as exc:
                self._problem = f"cannot open the window: {exc.strerror or exc}"

    def result(self) -> str | None:
        """One line saying why the window cannot open, or ``None`` when it can (waits for
        the probe, until :data:`PROBE_TIMEOUT_S` after it started)."""
        child, self._child = self._child, None
        if child is None:
            return self._problem
        try:
            _, err = child.communicate(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _end(child)
            self._problem = (
                f"cannot open the window: Qt's platform ({self._platform}) did not start "
                f"within {PROBE_TIMEOUT_S:g} s"
            )
            return self._problem
        if child.returncode != 0:
            self._problem = _said(self._platform, err)
        return self._problem

    def __enter__(self) -> DisplayCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:
            _end(self._child)
            self._child = None


def start_display_check(environ: dict[str, str] | None = None) -> DisplayCheck:
    """Ask X now (quick) and start Qt's probe in a child; :meth:`DisplayCheck.result`."""
    env = dict(os.environ if environ is None else environ)
    return DisplayCheck(*_display_problem(env), env)


def _end(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.communicate()


def _said(platform: str, stderr: str) -> str:
    """The one line for a probe that failed, from what Qt said on its way down."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    said = next((line for line in lines if "platform" in line.lower()), lines[0] if lines else "")
    said = said if len(said) <= 80 else said[:77] + "..."
    return f"cannot open the window: Qt's platform ({platform}) could not start: {said}{_HINT}"


_HINT = "; pictures need none: async-lanes run ... --png out.png"


def _display_problem(env: dict[str, str]) -> tuple[str | None, bool]:
    """Why the window cannot open, known without Qt, and whether Qt's probe must still be
    asked (anything but an X server that took our connection setup, with Qt's xcb plugin
    loadable, or a platform that needs no display)."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        # offscreen, wayland, eglfs...: the person chose; Qt says whether it starts.
        return None, not platform.startswith(HEADLESS_PLATFORMS)
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None, True
    display = env.get("DISPLAY", "")
    if not display:
        if env.get("WAYLAND_DISPLAY") and not platform:
            return None, True
        return "no display to open the window on (DISPLAY is not set)" + _HINT, False
    if "/" in display and not display.startswith(("unix", ":")):
        return None, True  # a launchd socket path (XQuartz): let Qt try
    greeting = _x_greeting(display, env)
    if greeting == NO_SERVER:
        return f"cannot open the window: no X server answers at DISPLAY={display}" + _HINT, False
    if greeting == HUNG_UP:
        return (
            f"cannot open the window: DISPLAY={display} accepts connections and closes them "
            "without answering (a dead ssh -X forward?)" + _HINT,
            False,
        )
    return None, greeting == UNSURE or not _xcb_plugin_loads()
