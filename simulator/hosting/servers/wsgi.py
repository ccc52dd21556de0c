"""Django's WSGI application on K worker threads fed first come, first served."""

from __future__ import annotations

import io
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from embedded_site.instrumentation import current_probe
from embedded_site.waits import read_clock
from simulator.errors import LanesError
from simulator.hosting.servers.base import SITE_HOST, Answer, Server, SiteRequest, SiteResponse

__all__ = ["WsgiServer"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_Job = tuple[SiteRequest, Answer]


class WsgiServer(Server):
    """Runs a WSGI application on ``workers`` threads fed first come, first served.

    This is the model of a threaded WSGI server (gunicorn's gthread worker, mod_wsgi with
    threads): a request waits in the queue until a thread is free, and a thread serves one
    request at a time, start to finish. Async views run as Django runs them under WSGI:
    ``async_to_sync`` gives each one an event loop of its own for the length of the view.
    """

    def __init__(self, app: WSGIApp, *, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._app = app
        self.workers = workers
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the workers; a system that allows fewer threads (``ulimit -u``, a container's
        pids limit) gets a clear error, and the workers already started are ended."""
        for n in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"wsgi-worker-{n + 1}", daemon=True)
            try:
                thread.start()
            except RuntimeError as exc:  # "can't start new thread"
                self.close()
                raise LanesError(
                    f"could not start {self.workers} WSGI worker threads: the system allowed "
                    f"{n} ({exc}); try fewer --workers"
                ) from None
            self._threads.append(thread)

    def submit(self, request: SiteRequest) -> Answer:
        answer = Answer()
        self._queue.put((request, answer))
        return answer

    def cancel(self, request: SiteRequest, answer: Answer) -> None:
        # A queued request is skipped by the worker that takes it; a running one keeps its
        # thread to the end (threads cannot be interrupted), which is the lesson.
        request.probe.abandoned = True
        answer.cancel()

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            request, answer = job
            if not answer.begin():
                continue  # given up while it waited in the queue
            try:
                self._serve(request, answer)
            except BaseException as exc:  # the app itself failed: report, keep serving
                if not answer.done():
                    answer.set_exception(exc)

    def _serve(self, request: SiteRequest, answer: Answer) -> None:
        probe = request.probe
        probe.picked_clock = clock = read_clock()  # Django's time from here is on this thread
        probe.picked_ns = clock.wall_ns
        probe.picked_thread = threading.current_thread().name
        probe.touch()
        token = current_probe.set(probe)
        response = SiteResponse(status=500)

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            response.status = int(status.split(" ", 1)[0])
            response.headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
            return lambda data: None

        try:
            result = self._app(self._environ(request), start_response)
            try:
                response.body = b"".join(result)
                # Written to the socket, as a real server would, before close().
                probe.responded_ns = time.perf_counter_ns()
                probe.touch()
                answer.set_result(response)
            finally:
                # Django sends request_finished from close(); a WSGI server must call it.
                if hasattr(result, "close"):
                    result.close()
        finally:
            probe.finished_ns = time.perf_counter_ns()
            probe.touch()
            current_probe.reset(token)

    @staticmethod
    def _environ(request: SiteRequest) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query.decode("latin-1"),
            "SERVER_NAME": SITE_HOST,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers:
            key = name.decode("latin-1").upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value.decode("latin-1")
            else:
                environ[f"HTTP_{key}"] = value.decode("latin-1")
        return environ
