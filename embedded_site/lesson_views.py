"""What each lesson view is, declared without importing Django.

The one place that says, for every view the site serves at ``/<name>/``, what it does and how
it waits: the engine lists the views, checks a scenario's ``view`` and predicts a run from
these declarations without booting Django (``async-lanes --help`` and ``predict`` stay fast,
and work where no database can be made). ``urls.py`` maps each declaration to its function
in ``views.py``; a test checks that the two agree (every view declared, ``nature`` right).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CPU_CHUNK_MS",
    "STREAM_CHUNKS",
    "LESSON_VIEWS",
    "IoStyle",
    "LessonView",
    "Nature",
    "lesson_view",
]

#: CPU slice of ``async_cpu_chunked`` between two yields to the event loop: under the loop
#: monitor's 5 ms "blocked" threshold, so a sliced view never shows as blocking the loop.
CPU_CHUNK_MS = 2.0

#: Pieces a streaming view sends over its ``io_ms``, one every ``io_ms / STREAM_CHUNKS``.
STREAM_CHUNKS = 4


class Nature(StrEnum):
    """How the view is written: ``def`` or ``async def``."""

    SYNC = "sync"
    ASYNC = "async"


class IoStyle(StrEnum):
    """How a view waits for its I/O (``io_ms``), which decides what it holds meanwhile."""

    #: It does no I/O (the bug views, which fail before).
    NONE = "none"
    #: It awaits: gives the event loop up and holds no thread (``io_wait``).
    AWAIT = "await"
    #: It blocks: holds its thread, or the event loop (``io_blocking``).
    BLOCKING = "blocking"
    #: An async view handing blocking I/O to the request's thread (``sync_to_async``).
    THREAD = "thread"


@dataclass(frozen=True, slots=True)
class LessonView:
    """One lesson view, as the app, the command line and the model know it.

    Attributes
    ----------
    name
        The function's name in ``views.py``, and its URL (``/<name>/``).
    description
        One line for a person; also the first line of the view's docstring.
    nature
        ``def`` or ``async def``.
    io
        How it waits for its I/O.
    uses_upstream
        Whether its I/O is HTTP calls to the slow upstream (which the engine then starts).
    uses_fanout
        Whether it makes ``fanout`` upstream calls: in a row when ``io`` blocks, gathered
        (one wait for all) when it awaits.
    uses_database
        Whether it queries the database: its thread opens a connection, which Django closes
        at the end of the request (``db_connections_peak``).
    cpu_in_slices
        Whether it computes in slices of :data:`CPU_CHUNK_MS`, yielding the loop in between.
    expected_error
        For the bug views: the error Django ends each request with, as it reports it.
    """

    name: str
    description: str
    nature: Nature
    io: IoStyle
    uses_upstream: bool = False
    uses_fanout: bool = False
    uses_database: bool = False
    cpu_in_slices: bool = False
    expected_error: str | None = None

    @property
    def is_async(self) -> bool:
        return self.nature is Nature.ASYNC


_SYNC, _ASYNC = Nature.SYNC, Nature.ASYNC

#: Every lesson view, in the order the app lists them.
LESSON_VIEWS: tuple[LessonView, ...] = (
    LessonView(
        name="sync_io",
        description="Sync view with blocking I/O (time.sleep): holds one thread while it waits.",
        nature=_SYNC,
        io=IoStyle.BLOCKING,
    ),
    LessonView(
        name="async_io",
        description="Async view awaiting asyncio.sleep: waits without holding a thread.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
    ),
    LessonView(
        name="async_blocking",
        description="Async view calling time.sleep: the classic mistake that blocks the "
        "event loop.",
        nature=_ASYNC,
        io=IoStyle.BLOCKING,
    ),
    LessonView(
        name="async_sync_to_async",
        description="Async view handing blocking I/O to a thread with sync_to_async.",
        nature=_ASYNC,
        io=IoStyle.THREAD,
    ),
    LessonView(
        name="sync_httpx",
        description="Sync view calling a slow HTTP service with httpx.Client.",
        nature=_SYNC,
        io=IoStyle.BLOCKING,
        uses_upstream=True,
    ),
    LessonView(
        name="async_httpx",
        description="Async view awaiting a slow HTTP service with httpx.AsyncClient.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
        uses_upstream=True,
    ),
    LessonView(
        name="sync_fanout",
        description="News page gathering `fanout` sources one after another (sync httpx).",
        nature=_SYNC,
        io=IoStyle.BLOCKING,
        uses_upstream=True,
        uses_fanout=True,
    ),
    LessonView(
        name="async_fanout",
        description="News page gathering `fanout` sources at once with asyncio.gather.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
        uses_upstream=True,
        uses_fanout=True,
    ),
    LessonView(
        name="sync_orm",
        description="Sync view running a slow ORM query on SQLite (the query takes io_ms in "
        "the database).",
        nature=_SYNC,
        io=IoStyle.BLOCKING,
        uses_database=True,
    ),
    LessonView(
        name="async_orm",
        description="Async view using the async ORM (aget), which still runs the query on a "
        "thread.",
        nature=_ASYNC,
        io=IoStyle.THREAD,
        uses_database=True,
    ),
    LessonView(
        name="async_sync_orm_bug",
        description="Bug: an async view calling the sync ORM; Django refuses "
        "(SynchronousOnlyOperation).",
        nature=_ASYNC,
        io=IoStyle.NONE,
        expected_error="SynchronousOnlyOperation: You cannot call this from an async "
        "context - use a thread or sync_to_async.",
    ),
    LessonView(
        name="missing_await_bug",
        description="Bug: calls a coroutine function without await and returns the coroutine.",
        nature=_ASYNC,
        io=IoStyle.NONE,
        expected_error="ValueError: The view embedded_site.views.missing_await_bug didn't "
        "return an HttpResponse object. It returned an unawaited coroutine instead. You may "
        "need to add an 'await' into your view.",
    ),
    LessonView(
        name="async_cpu_chunked",
        description="Async view doing its CPU work in 2 ms slices, yielding to the loop in "
        "between.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
        cpu_in_slices=True,
    ),
    LessonView(
        name="sync_stream",
        description="Sync view streaming its answer for io_ms from a sync iterator "
        "(StreamingHttpResponse).",
        nature=_SYNC,
        io=IoStyle.BLOCKING,
    ),
    LessonView(
        name="async_stream",
        description="Async view streaming its answer for io_ms from an async iterator.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
    ),
    LessonView(
        name="long_poll",
        description="Long polling: an async view holding the request open until news comes "
        "or io_ms pass.",
        nature=_ASYNC,
        io=IoStyle.AWAIT,
    ),
)

_BY_NAME = {view.name: view for view in LESSON_VIEWS}


def lesson_view(name: str) -> LessonView:
    """The view called ``name``; ``KeyError`` names the known views."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown view {name!r}; known views: {', '.join(_BY_NAME)}") from None
