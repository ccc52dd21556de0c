"""A scenario: the dials of one run, checked when it is made."""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any, Literal

from simulator.catalog import lesson_views
from simulator.errors import ScenarioError

__all__ = ["LIMITS", "MODES", "MIDDLEWARES", "Scenario"]

MODES = ("asgi", "wsgi")
MIDDLEWARES = ("async", "sync")

#: Inclusive bounds of every numeric dial; the window's sliders use the same ones.
LIMITS: dict[str, tuple[float, float]] = {
    "requests": (1, 10_000),
    "io_ms": (0, 10_000),
    "cpu_ms": (0, 5_000),
    "workers": (1, 256),
    "fanout": (1, 32),
    "arrival_ms": (0, 10_000),
}

_INTEGER_DIALS = {"requests", "workers", "fanout"}


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
        handler on ``workers`` threads fed first come, first served.
    requests, io_ms, cpu_ms, arrival_ms, fanout
        How many requests; each one's I/O wait and CPU cost; the spacing of their arrival
        (0: all at once); how many upstream calls a fan-out view makes.
    middleware
        ``"async"``: an async-capable stack. ``"sync"``: one sync-only middleware added.
    upstream_url
        Where the httpx views fetch from; ``None`` starts the engine's own slow upstream.
    """

    view: str = "async_io"
    mode: Literal["asgi", "wsgi"] = "asgi"
    workers: int = 1
    requests: int = 8
    io_ms: float = 200.0
    cpu_ms: float = 0.0
    arrival_ms: float = 0.0
    fanout: int = 1
    middleware: Literal["async", "sync"] = "async"
    upstream_url: str | None = None

    def __post_init__(self) -> None:
        views = lesson_views()
        if self.view not in views:
            raise ScenarioError(f"unknown view {self.view!r}; choose one of: {', '.join(views)}")
        if self.mode not in MODES:
            raise ScenarioError(f"unknown mode {self.mode!r}; choose asgi or wsgi")
        if self.middleware not in MIDDLEWARES:
            raise ScenarioError(f"unknown middleware {self.middleware!r}; choose async or sync")
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScenarioError(f"{name} must be a number, not {value!r}")
            if not math.isfinite(value):
                raise ScenarioError(f"{name} must be a finite number, not {value!r}")
            if name in _INTEGER_DIALS and value != int(value):
                raise ScenarioError(f"{name} must be a whole number, not {value!r}")
            if not low <= value <= high:
                raise ScenarioError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
            if name in _INTEGER_DIALS:  # 8.0 requests are 8 requests (range() needs an int)
                object.__setattr__(self, name, int(value))
        if self.upstream_url is not None and not self.upstream_url.startswith(
            ("http://", "https://")
        ):
            raise ScenarioError(
                f"upstream_url must start with http:// or https://, not {self.upstream_url!r}"
            )

    @property
    def label(self) -> str:
        """A short title, e.g. ``sync_io · WSGI ×1 · 8 req · io 200 ms``."""
        server = "ASGI" if self.mode == "asgi" else f"WSGI ×{self.workers}"
        parts = [self.view, server, f"{self.requests} req", f"io {self.io_ms:g} ms"]
        if self.cpu_ms:
            parts.append(f"cpu {self.cpu_ms:g} ms")
        if self.arrival_ms:
            parts.append(f"every {self.arrival_ms:g} ms")
        if lesson_views()[self.view].uses_fanout:
            parts.append(f"fan-out {self.fanout}")
        if self.middleware == "sync":
            parts.append("sync middleware")
        return " · ".join(parts)

    @classmethod
    def field_kinds(cls) -> dict[str, str]:
        """Each dial: ``"whole"`` number, ``"number"`` or ``"text"``, for readers of text
        (the command line's dial strings, scenario files) to check a value's type."""
        hints = typing.get_type_hints(cls)
        return {
            f.name: "whole"
            if hints[f.name] is int
            else "number"
            if hints[f.name] is float
            else "text"
            for f in dataclasses.fields(cls)
        }

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Build from plain data (a file, JSON), naming any key that does not belong."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScenarioError(
                f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(known))}"
            )
        return cls(**data)

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)
