"""An X server of one size with openbox managing its windows, for the tests that drive the
real window (``make test`` installs both): one way to start it, one way to end it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class XDesktop:
    """Xvfb at ``size`` and openbox on it; :attr:`env` runs a child there, its settings and
    home in ``folder`` (never the user's)."""

    def __init__(self, size: tuple[int, int], folder: Path) -> None:
        read_fd, write_fd = os.pipe()
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size[0]}x{size[1]}x24"]
            + ["-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            display = f":{pipe.readline().strip()}"
        self.env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_CONFIG_HOME": str(folder / "config"),
            "HOME": str(folder),
            "PYTHONPATH": str(ROOT),
        }
        self.manager = subprocess.Popen(
            ["openbox"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.5)  # the window manager takes the screen

    def close(self) -> None:
        for process in (self.manager, self.server):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
