"""The lesson views. Each does its I/O first, then its CPU work, then answers.

An async view with ``io_ms`` 0 still awaits ``asyncio.sleep(0)`` (one turn of the loop, as
before) but declares no I/O: the turn is the request waiting for the loop, and under load it
lasted half a second, drawn as "awaiting I/O" for a view that does none (lesson 15's B). Every
timed await says how long it is (``awaits``): once its timer was due, the rest is the request
waiting for the loop, not I/O.

What each one is (the first line of its docstring, how it waits) is declared, without Django,
in ``lesson_views.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Value
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from .instrumentation import measured
from .lesson_views import CPU_CHUNK_MS, STREAM_CHUNKS
from .models import Article, SlowQuery
from .work import Dials, burn_cpu, fetch, fetch_async, page, tls_context, upstream_url


def sync_io(request: HttpRequest) -> HttpResponse:
    """Sync view with blocking I/O (time.sleep): holds one thread while it waits."""
    dials = Dials.from_request(request)
    with measured("io_blocking", sleeps=dials.io_s):
        time.sleep(dials.io_s)
    burn_cpu(dials.cpu_ms)
    return page("sync_io", dials)


async def async_io(request: HttpRequest) -> HttpResponse:
    """Async view awaiting asyncio.sleep: waits without holding a thread."""
    dials = Dials.from_request(request)
    with measured("io_wait", awaits=dials.io_s):
        await asyncio.sleep(dials.io_s)
    burn_cpu(dials.cpu_ms)
    return page("async_io", dials)


async def async_blocking(request: HttpRequest) -> HttpResponse:
    """Async view calling time.sleep: the classic mistake that blocks the event loop."""
    dials = Dials.from_request(request)
    with measured("io_blocking", sleeps=dials.io_s):
        time.sleep(dials.io_s)  # blocks every request on this loop
    burn_cpu(dials.cpu_ms)
    return page("async_blocking", dials)


def blocking_io(seconds: float) -> None:
    with measured("io_blocking", sleeps=seconds):
        time.sleep(seconds)


async def async_sync_to_async(request: HttpRequest) -> HttpResponse:
    """Async view handing blocking I/O to a thread with sync_to_async."""
    dials = Dials.from_request(request)
    await sync_to_async(blocking_io)(dials.io_s)
    burn_cpu(dials.cpu_ms)
    return page("async_sync_to_async", dials)


def sync_httpx(request: HttpRequest) -> HttpResponse:
    """Sync view calling a slow HTTP service with httpx.Client."""
    dials = Dials.from_request(request)
    with httpx.Client(verify=tls_context(), timeout=settings.LANES_UPSTREAM_TIMEOUT) as client:
        with measured("io_blocking"):
            fetch(client, upstream_url(dials))
    burn_cpu(dials.cpu_ms)
    return page("sync_httpx", dials)


async def async_httpx(request: HttpRequest) -> HttpResponse:
    """Async view awaiting a slow HTTP service with httpx.AsyncClient."""
    dials = Dials.from_request(request)
    async with httpx.AsyncClient(
        verify=tls_context(), timeout=settings.LANES_UPSTREAM_TIMEOUT
    ) as client:
        with measured("io_wait"):
            await fetch_async(client, upstream_url(dials))
    burn_cpu(dials.cpu_ms)
    return page("async_httpx", dials)


def sync_fanout(request: HttpRequest) -> HttpResponse:
    """News page gathering `fanout` sources one after another (sync httpx)."""
    dials = Dials.from_request(request)
    with httpx.Client(verify=tls_context(), timeout=settings.LANES_UPSTREAM_TIMEOUT) as client:
        for source in range(dials.fanout):
            with measured("io_blocking"):
                fetch(client, upstream_url(dials, source))
    burn_cpu(dials.cpu_ms)
    return page("sync_fanout", dials, f"{dials.fanout} sources")


async def async_fanout(request: HttpRequest) -> HttpResponse:
    """News page gathering `fanout` sources at once with asyncio.gather."""
    dials = Dials.from_request(request)
    async with httpx.AsyncClient(
        verify=tls_context(), timeout=settings.LANES_UPSTREAM_TIMEOUT
    ) as client:
        with measured("io_wait"):
            await asyncio.gather(
                *(
                    fetch_async(client, upstream_url(dials, source))
                    for source in range(dials.fanout)
                )
            )
    burn_cpu(dials.cpu_ms)
    return page("async_fanout", dials, f"{dials.fanout} sources")


def sync_orm(request: HttpRequest) -> HttpResponse:
    """Sync view running a slow ORM query on SQLite (the query takes io_ms in the database)."""
    dials = Dials.from_request(request)
    article = Article.objects.annotate(db_ms=SlowQuery(Value(dials.io_ms))).get(slug="front-page")
    burn_cpu(dials.cpu_ms)
    return page("sync_orm", dials, article.title)


async def async_orm(request: HttpRequest) -> HttpResponse:
    """Async view using the async ORM (aget), which still runs the query on a thread."""
    dials = Dials.from_request(request)
    article = await Article.objects.annotate(db_ms=SlowQuery(Value(dials.io_ms))).aget(
        slug="front-page"
    )
    burn_cpu(dials.cpu_ms)
    return page("async_orm", dials, article.title)


async def async_sync_orm_bug(request: HttpRequest) -> HttpResponse:
    """Bug: an async view calling the sync ORM; Django refuses (SynchronousOnlyOperation)."""
    dials = Dials.from_request(request)
    article = Article.objects.get(slug="front-page")  # needs aget() or sync_to_async
    return page("async_sync_orm_bug", dials, article.title)


async def render_front_page(dials: Dials) -> HttpResponse:
    with measured("io_wait", awaits=dials.io_s):
        await asyncio.sleep(dials.io_s)
    return page("missing_await_bug", dials)


async def missing_await_bug(request: HttpRequest) -> HttpResponse:
    """Bug: calls a coroutine function without await and returns the coroutine."""
    dials = Dials.from_request(request)
    return render_front_page(dials)  # type: ignore[return-value]  # missing await: the bug


async def async_cpu_chunked(request: HttpRequest) -> HttpResponse:
    """Async view doing its CPU work in 2 ms slices, yielding to the loop in between."""
    dials = Dials.from_request(request)
    with measured("io_wait", awaits=dials.io_s):
        await asyncio.sleep(dials.io_s)
    remaining = dials.cpu_ms
    while remaining > 0:
        burn_cpu(min(CPU_CHUNK_MS, remaining))
        remaining -= CPU_CHUNK_MS
        await asyncio.sleep(0)  # let the other requests on this loop run
    return page("async_cpu_chunked", dials)


def sync_stream(request: HttpRequest) -> StreamingHttpResponse:
    """Sync view streaming its answer for io_ms from a sync iterator (StreamingHttpResponse)."""
    dials = Dials.from_request(request)

    def chunks() -> Iterator[str]:
        for n in range(STREAM_CHUNKS):
            with measured("io_blocking", sleeps=dials.io_s / STREAM_CHUNKS):
                time.sleep(dials.io_s / STREAM_CHUNKS)  # waiting for the next piece of news
            yield f"chunk {n}\n"

    return StreamingHttpResponse(chunks(), content_type="text/plain")


async def async_stream(request: HttpRequest) -> StreamingHttpResponse:
    """Async view streaming its answer for io_ms from an async iterator."""
    dials = Dials.from_request(request)

    async def chunks() -> AsyncIterator[str]:
        for n in range(STREAM_CHUNKS):
            with measured("io_wait", awaits=dials.io_s / STREAM_CHUNKS):
                await asyncio.sleep(dials.io_s / STREAM_CHUNKS)
            yield f"chunk {n}\n"

    return StreamingHttpResponse(chunks(), content_type="text/plain")


async def long_poll(request: HttpRequest) -> HttpResponse:
    """Long polling: an async view holding the request open until news comes or io_ms pass."""
    dials = Dials.from_request(request)
    news = asyncio.Event()  # nobody publishes in the lesson: every poll runs to its timeout
    with measured("io_wait", awaits=dials.io_s):
        try:
            await asyncio.wait_for(news.wait(), timeout=dials.io_s)
        except TimeoutError:
            pass
    return page("long_poll", dials, "no news")
