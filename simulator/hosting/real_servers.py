"""Real servers: uvicorn or gunicorn processes serving the lesson site on loopback.

The in-process servers have no sockets, no ``accept`` and no HTTP parsing, and one GIL. These
are the real thing a site is deployed on: ``K`` worker processes, each with its own GIL, that
the kernel hands connections to. The engine starts them as subprocesses on 127.0.0.1 and a
free port, waits until every worker process has answered a warm-up request, and stops them
by their own process ids (then their process group, which is theirs alone: they start a
session of their own), after the run, on Stop and at exit. Each server gets a temporary
folder as its ``TMPDIR``, where every process makes its scratch database; the engine removes
the folder itself, so a worker killed outright leaves nothing behind.

However ``async-lanes`` ends, its servers end with it: the server's main process watches a
pipe only we hold open (``server_guard.py``) and kills its process group when we are gone.
The pids of a server are recorded in its folder, so the next start sweeps what a killed run
left anyway (processes still ours, checked by their start time, then the folder).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from embedded_site.server_timing import HEADER, parse_server_timing
from simulator.errors import UpstreamError
from simulator.scenario import Scenario
from simulator.server_extra import INSTALL_HINT, missing_server
from simulator.upstream_address import upstream_any_host

from .leftovers import FOLDER_PREFIX, record_pids, sweep_stale_servers
from .leftovers import alive as _alive

__all__ = [
    "INSTALL_HINT",
    "READY_TIMEOUT_S",
    "RealServer",
    "ServerStartError",
    "missing_server",
]

#: The longest a server may take until every worker process has answered.
READY_TIMEOUT_S = 40.0
#: After SIGTERM, how long the processes get before SIGKILL (Stop must end within a second).
TERM_PATIENCE_S = 0.5
#: How many times a server that lost its port (taken before it bound) starts on another.
PORT_RETRIES = 3
#: The server's main process: watches our pipe, then runs the server (see its docstring).
GUARD = Path(__file__).with_name("server_guard.py")
#: The project's root: the servers import ``embedded_site`` from here.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ServerStartError(UpstreamError):
    """A real server did not start, or not every worker answered in time."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RealServer:
    """uvicorn or gunicorn serving the lesson site as the scenario says, on 127.0.0.1.

    **Usage**::

        server = RealServer(scenario, upstream_url)
        server.start()
        await server.wait_ready()
        ... send to server.base_url ...
        server.stop()
    """

    def __init__(
        self,
        scenario: Scenario,
        upstream_url: str | None = None,
        allowed_hosts: tuple[str, ...] = (),
    ) -> None:
        if scenario.mode not in ("uvicorn", "gunicorn"):
            raise ValueError(f"not a real server mode: {scenario.mode}")
        self.scenario = scenario
        self.upstream_url = upstream_url
        self.allowed_hosts = allowed_hosts
        self.port = _free_port()
        self.worker_pids: set[int] = set()
        self._process: subprocess.Popen[bytes] | None = None
        #: The process group (the main process's pid), kept until the folder is removed.
        self._group: int | None = None
        self._folder: Path | None = None
        self._log: Path | None = None
        #: The write end of the pipe the server watches: closed, the server kills itself.
        self._lifeline: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The server's main process (uvicorn's supervisor, gunicorn's arbiter)."""
        return self._process.pid if self._process is not None else None

    @property
    def folder(self) -> Path | None:
        """The server's temporary folder (its processes' TMPDIR), while it exists."""
        return self._folder

    def command(self) -> list[str]:
        """The command line that starts the server."""
        s = self.scenario
        if s.mode == "uvicorn":
            return [
                sys.executable,
                "-m",
                "uvicorn",
                "embedded_site.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(s.workers),
                "--lifespan",
                "off",
                "--no-access-log",
                "--log-level",
                "warning",
                "--backlog",
                "4096",
            ]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "embedded_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(s.workers),
            "--worker-class",
            s.worker_class,
            "--timeout",
            "120",
            "--graceful-timeout",
            "1",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
            # gunicorn 27 otherwise keeps a control socket in ~/.gunicorn (without
            # XDG_RUNTIME_DIR): a file in the user's home, shared by every run at once.
            "--no-control-socket",
        ]
        if s.worker_class == "gthread":
            command += ["--threads", str(s.threads)]
        return command

    def start(self) -> None:
        """Start the processes (returns at once; :meth:`wait_ready` waits for them)."""
        missing = missing_server(self.scenario.mode)
        if missing:
            raise ServerStartError(missing)
        sweep_stale_servers(Path(tempfile.gettempdir()), FOLDER_PREFIX)
        self._folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self._log = self._folder / "server.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "DJANGO_SETTINGS_MODULE": "embedded_site.settings",
            "LANES_MIDDLEWARE": self.scenario.middleware,
            "LANES_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TMPDIR": str(self._folder),
        }
        if self.upstream_url is not None:
            env["LANES_UPSTREAM_URL"] = self.upstream_url
            anywhere = upstream_any_host(self.upstream_url, self.allowed_hosts)
            env["LANES_UPSTREAM_ANY_HOST"] = "1" if anywhere else ""
        watched, self._lifeline = os.pipe()
        python, _, module, *args = self.command()  # python -m module args...
        try:
            with open(self._log, "wb") as log:
                self._process = subprocess.Popen(
                    [python, str(GUARD), str(watched), module, *args],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, so nothing of it outlives us
                    pass_fds=(watched,),
                )
        except BaseException:
            os.close(self._lifeline)
            self._lifeline = None
            raise
        finally:
            os.close(watched)
        self._group = self._process.pid
        record_pids(self._folder, [self._process.pid])
        # Stopped at exit too, whatever ends this process (atexit runs on every exit path
        # Python takes; the command line turns signals into one).
        atexit.register(self.stop)

    async def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> set[int]:
        """Wait until every worker process has answered a warm-up request; their pids.

        Warm-ups go in bursts of requests to a view that holds its process (a blocked loop
        under uvicorn, a busy worker under gunicorn): a process busy with one cannot accept
        the next, so the others must, and every worker is reached (and has paid its first
        request's one-off costs) before anything is measured.
        """
        deadline = time.monotonic() + timeout_s
        s = self.scenario
        view = "async_blocking" if s.mode == "uvicorn" else "sync_io"
        per_process = s.threads if s.worker_class == "gthread" and s.mode == "gunicorn" else 1
        burst = s.workers * per_process + s.workers
        url = f"{self.base_url}/{view}/?io_ms=60&cpu_ms=0"
        limits = httpx.Limits(max_connections=burst, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=10.0, trust_env=False) as client:
            retries = PORT_RETRIES
            while len(self.worker_pids) < s.workers:
                if retries and self._lost_its_port():
                    retries -= 1
                    self._restart_on_a_new_port()
                    url = f"{self.base_url}/{view}/?io_ms=60&cpu_ms=0"
                    continue
                self._check_alive()
                if time.monotonic() > deadline:
                    raise ServerStartError(
                        f"{s.server_label}: only {len(self.worker_pids)} of {s.workers} worker "
                        f"processes answered within {timeout_s:g} s{self._log_tail()}"
                    )
                answers = await self._burst(client, url, burst)
                if answers is None:
                    continue  # the server exited meanwhile: the loop's top says why
                for answer in answers:
                    if isinstance(answer, httpx.Response):
                        timing = parse_server_timing(answer.headers.get(HEADER))
                        if timing is not None:
                            self.worker_pids.add(timing.pid)
                if not any(isinstance(a, httpx.Response) for a in answers):
                    await asyncio.sleep(0.05)  # not listening yet
        if self._folder is not None and self._process is not None:
            record_pids(self._folder, [self._process.pid, *sorted(self.worker_pids)])
        return set(self.worker_pids)

    async def _burst(
        self, client: httpx.AsyncClient, url: str, size: int
    ) -> list[httpx.Response | BaseException] | None:
        """``size`` warm-ups at once, or ``None`` as soon as the server process exits (a
        port taken by someone else may accept and never answer: no waiting on it)."""
        task = asyncio.ensure_future(
            asyncio.gather(*(client.get(url) for _ in range(size)), return_exceptions=True)
        )
        while not task.done():
            await asyncio.wait({task}, timeout=0.05)
            if not task.done() and self._process is not None and self._process.poll() is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return None
        return list(task.result())

    def _lost_its_port(self) -> bool:
        """Whether the server exited because someone took its port between our pick and its
        bind (uvicorn: "address already in use"; gunicorn: "Connection in use")."""
        if self._process is None or self._process.poll() is None or self._log is None:
            return False
        with contextlib.suppress(OSError):
            return "in use" in self._log.read_text(errors="replace").lower()
        return False

    def _restart_on_a_new_port(self) -> None:
        self.stop()
        self.port = _free_port()
        self.worker_pids.clear()
        self.start()

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise ServerStartError(
                f"{self.scenario.server_label} exited at start (code "
                f"{self._process.returncode}){self._log_tail()}"
            )

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        with contextlib.suppress(OSError):
            lines = self._log.read_text(errors="replace").strip().splitlines()
            if lines:
                return ": " + lines[-1][:300]
        return ""

    def stop(self) -> None:
        """Stop every process of the server by its pid (SIGTERM, then SIGKILL after
        :data:`TERM_PATIENCE_S`), then its process group, and remove its folder. Safe to
        call twice; returns within a second."""
        process, self._process = self._process, None
        if process is not None:
            pids = [process.pid, *sorted(self.worker_pids)]
            _signal_all(pids, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(TERM_PATIENCE_S)
            alive = [pid for pid in pids if _alive(pid)]
            if alive or process.poll() is None:
                _signal_all(alive, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # anything it forked that we never saw
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(TERM_PATIENCE_S)
            # Workers are the arbiter's children, reaped by whoever inherits them: wait
            # (briefly) until none is running, so "stopped" means gone.
            deadline = time.monotonic() + TERM_PATIENCE_S
            while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
                time.sleep(0.01)
        self._cut_lifeline()
        atexit.unregister(self.stop)
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        self._group = None  # its pid may be another process's from now on

    def _cut_lifeline(self) -> None:
        """Close our end of the pipe: whatever of the server still runs kills itself."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(lifeline)

    def kill(self) -> None:
        """Kill every process of the server at once (SIGKILL, no waiting) and remove its
        folder: for a process about to quit with ``os._exit``, which skips ``atexit``."""
        self._process = None
        self._cut_lifeline()
        if self._group is not None:  # also midway through stop(): its workers may linger
            _signal_all([self._group, *sorted(self.worker_pids)], signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._group, signal.SIGKILL)
        atexit.unregister(self.stop)
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        self._group = None


def _signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
