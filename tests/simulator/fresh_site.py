"""A fresh ``django-admin startproject`` site in a temporary folder, served by a real uvicorn
or gunicorn on loopback: the site a user points ``--url`` at, not ours.

Tests add views (``urls.py``) and middleware lines (``settings.py``) the way a user would,
then drive it with the command line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import embedded_site

PY = sys.executable
ROOT = Path(__file__).resolve().parents[2]

#: Views a site offers: a sync one and an async one, each waiting 100 ms.
VIEWS = """
import asyncio
import time
from django.http import HttpResponse
from django.urls import path

def slow(request):
    time.sleep(0.1)
    return HttpResponse("slow")

async def aslow(request):
    await asyncio.sleep(0.1)
    return HttpResponse("aslow")

urlpatterns = [path("slow/", slow), path("aslow/", aslow)]
"""

#: The copy-this-file middleware, as the README says: copy the file, one line in MIDDLEWARE.
OUR_MIDDLEWARE = '\nMIDDLEWARE = ["mysite.server_timing.ServerTimingMiddleware", *MIDDLEWARE]\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_site(
    folder: Path, *, extra_settings: str = "", files: dict[str, str] | None = None
) -> Path:
    """``django-admin startproject mysite`` in ``folder``, with :data:`VIEWS` as its URLs."""
    folder.mkdir(parents=True, exist_ok=True)
    admin = Path(PY).with_name("django-admin")
    subprocess.run(
        [str(admin) if admin.exists() else "django-admin", "startproject", "mysite", str(folder)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    package = folder / "mysite"
    (package / "urls.py").write_text(VIEWS)
    for name, text in (files or {}).items():
        (package / name).write_text(text)
    if "server_timing" in extra_settings:
        shutil.copy(Path(embedded_site.__file__).parent / "server_timing.py", package)
    with (package / "settings.py").open("a") as settings:
        settings.write(extra_settings)
    return folder


@contextlib.contextmanager
def served(folder: Path, server: str) -> Iterator[int]:
    """The site in ``folder`` served by ``server`` (uvicorn or gunicorn); yields its port."""
    port = free_port()
    if server == "uvicorn":
        argv = [PY, "-m", "uvicorn", "mysite.asgi:application", "--port", str(port)]
        argv += ["--host", "127.0.0.1", "--log-level", "warning"]
    else:
        argv = [PY, "-m", "gunicorn", "mysite.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings", "PYTHONPATH": str(folder)}
    process = subprocess.Popen(
        argv,
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_listening(port, process)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the site's server exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the site never listened")


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``async-lanes ARGS`` as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [PY, "-m", "app.launcher", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )
