"""A scenario: the dials of one run, checked when it is made (see :mod:`simulator.dials`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from simulator.catalog import view_info
from simulator.dials import (
    DIALS,
    LIMITS,
    MAX_PROCESSES,
    MIDDLEWARES,
    MODES,
    PROCESS_MODES,
    parse_dial,
    unknown_key,
)
from simulator.errors import ScenarioError

__all__ = ["LIMITS", "MODES", "MIDDLEWARES", "Scenario"]


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """The dials of one run.

    **Usage**::

        Scenario(view="sync_io", mode="wsgi", workers=1, requests=8, io_ms=200)

    Parameters
    ----------
    view
        Name of a lesson view (see :func:`simulator.catalog.lesson_views`).
    mode
        ``"asgi"``: Django's ASGI handler on one event loop. ``"wsgi"``: Django's WSGI
        handler on ``workers`` threads fed first come, first served. ``"uvicorn"``:
        ``workers`` uvicorn processes; ``"gunicorn"``: ``workers`` gunicorn processes of
        ``worker_class`` (``sync``: one request at a time each; ``gthread``: ``threads``
        each). Both serve the site on 127.0.0.1 and are driven over real sockets.
    url
        Send the requests to this URL (someone's own site) instead of a lesson view; the
        mode and view then only label the run.
    requests, io_ms, cpu_ms, arrival_ms, fanout
        How many requests; each one's I/O wait and CPU cost; the spacing of their arrival
        (0: all at once); how many upstream calls a fan-out view makes.
    middleware
        ``"async"``: an async-capable stack. ``"sync"``: one sync-only middleware added.
        ``"django"``: ``startproject``'s seven default middleware.
    upstream_url
        Where the httpx views fetch from; ``None`` starts the engine's own slow upstream.
    """

    view: str = "async_io"
    mode: Literal["asgi", "wsgi", "uvicorn", "gunicorn"] = "asgi"
    workers: int = 1
    requests: int = 8
    io_ms: float = 200.0
    cpu_ms: float = 0.0
    arrival_ms: float = 0.0
    concurrency: int = 0
    fanout: int = 1
    middleware: Literal["async", "sync", "django"] = "async"
    worker_class: Literal["sync", "gthread"] = "sync"
    threads: int = 1
    url: str | None = None
    upstream_url: str | None = None

    def __post_init__(self) -> None:
        """Check every dial with :func:`simulator.dials.parse_dial` and keep it in its type
        (8.0 requests are 8). Boots no Django: the views are known by their declarations."""
        for key in DIALS:
            # The model's bounds: ``predict`` takes a million requests; a real run checks
            # its own (:meth:`check_runnable`).
            object.__setattr__(self, key, parse_dial(key, getattr(self, key), model=True))
        if self.in_processes and self.workers > MAX_PROCESSES:
            raise ScenarioError.about(
                "workers",
                f" must be between 1 and {MAX_PROCESSES} processes for {self.mode}, "
                f"not {self.workers}",
            )

    def check_runnable(self) -> None:
        """Refuse what only the model may take (more than 10,000 requests, more than 256
        workers): every real run (``run``, ``compare``, the window, a lesson) checks it.

        Raises
        ------
        ScenarioError
            Naming the dial and its real-run bounds, as a flag's error does.
        """
        for key, dial in DIALS.items():
            if dial.model_high is not None:
                parse_dial(key, getattr(self, key))

    @property
    def in_processes(self) -> bool:
        """Served by real server processes (uvicorn, gunicorn) over loopback sockets."""
        return self.mode in PROCESS_MODES

    @property
    def over_sockets(self) -> bool:
        """Driven over real sockets: real server processes, or someone's own site."""
        return self.in_processes or self.url is not None

    @property
    def server_label(self) -> str:
        """``ASGI``, ``WSGI ×4``, ``uvicorn 2 processes``, ``gunicorn gthread 1 process × 4``."""
        if self.mode == "asgi":
            return "ASGI"
        if self.mode == "wsgi":
            return f"WSGI ×{self.workers}"
        processes = f"{self.workers} process{'es' if self.workers != 1 else ''}"
        if self.mode == "uvicorn":
            return f"uvicorn {processes}"
        if self.worker_class == "gthread":
            return f"gunicorn gthread {processes} × {self.threads} threads"
        return f"gunicorn sync {processes}"

    @property
    def label(self) -> str:
        """A short title, e.g. ``sync_io · WSGI ×1 · 8 req · io 200 ms``."""
        if self.url is not None:
            parts = [self.url, f"{self.requests} req"]
            if self.arrival_ms:
                parts.append(f"every {self.arrival_ms:g} ms")
            if self.concurrency:
                parts.append(f"{self.concurrency} at a time")
            return " · ".join(parts)
        parts = [self.view, self.server_label, f"{self.requests} req", f"io {self.io_ms:g} ms"]
        if self.cpu_ms:
            parts.append(f"cpu {self.cpu_ms:g} ms")
        if self.arrival_ms:
            parts.append(f"every {self.arrival_ms:g} ms")
        if self.concurrency:
            parts.append(f"{self.concurrency} at a time")
        if view_info(self.view).uses_fanout:
            parts.append(f"fan-out {self.fanout}")
        if self.middleware == "sync":
            parts.append("sync middleware")
        elif self.middleware == "django":
            parts.append("Django's default middleware")
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Build from plain data (a file, JSON), naming any key that does not belong."""
        for key in data:
            if key not in DIALS:
                raise unknown_key(key)
        return cls(**data)

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)
