"""Slow work (the model's answer for thousands of requests) on a thread, awaited on the loop,
so the window's loop stays free while it is worked out; one thread at a time of each kind,
and nothing handed to the loop once the window has closed."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["OneThread", "loop_running"]

T = TypeVar("T")
A = TypeVar("A")


def loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@dataclass(eq=False)
class _Job(Generic[A, T]):
    arg: A
    loop: asyncio.AbstractEventLoop
    #: Its answer as ``(result,)``; ``None`` if it was superseded or the window closed.
    done: asyncio.Future[tuple[T] | None]


class OneThread(Generic[A, T]):
    """``work(arg)`` on a daemon thread, one at a time: never joined, so closing the window
    mid-way does not wait for it.

    Only the newest question matters (a prediction is shown only if nothing was asked after
    it), so one asked while a thread works waits, and a newer one supersedes it: repeated
    Predict presses each started a thread, whose answers were all dropped but the last, and
    which all used the window's GIL meanwhile. The one running cannot be stopped (no Python
    thread can be): its answer is handed over, then the one waiting starts.

    After :meth:`close` (the window closing) a thread that ends hands nothing to the loop:
    a thread of ours posting to a loop whose Qt is torn down is the kind of end that once
    crashed the window's process (the site's reader thread, ``site_process/parent.py``).
    """

    def __init__(self, work: Callable[[A], T], *, name: str) -> None:
        self._work, self._name = work, name
        #: Held by a thread from its check of :attr:`_closed` until its answer is posted, and
        #: by :meth:`close`: once that returns, no thread is posting or will post.
        self._lock = threading.Lock()
        self._closed = False
        self._running: _Job[A, T] | None = None
        self._waiting: _Job[A, T] | None = None

    @property
    def busy(self) -> bool:
        """Whether a thread of ours is working (or its answer is on its way to the loop)."""
        return self._running is not None

    async def run(self, arg: A) -> T | None:
        """``work(arg)``'s result, worked out on the thread once the one before has ended;
        ``None`` if a newer question superseded it while it waited, or the window closed.
        Its exception is raised here."""
        if self._closed:
            return None
        loop = asyncio.get_running_loop()
        job: _Job[A, T] = _Job(arg, loop, loop.create_future())
        if self._waiting is not None and not self._waiting.done.done():
            self._waiting.done.set_result(None)  # superseded (unless its asker is gone)
        self._waiting = job
        if self._running is not None and self._running.loop.is_closed():
            self._running = None  # its loop ended before it did (``asyncio.run``): not ours
        if self._running is None:
            self._next()
        answer = await job.done
        return answer[0] if answer is not None else None

    def close(self) -> None:
        """Hand nothing more to the loop (the window closes): each question asked ends now
        with ``None``, and a thread that ends later posts nothing."""
        with self._lock:
            self._closed = True
        for job in (self._running, self._waiting):
            if job is not None and not job.done.done():
                job.done.set_result(None)
        self._running = self._waiting = None

    def _next(self) -> None:
        job, self._waiting = self._waiting, None
        if job is not None and job.done.done():
            job = None  # its asker was cancelled while it waited: nothing to work out
        self._running = job
        if job is None:
            return

        def work() -> None:
            try:
                answer: tuple[tuple[T] | None, Exception | None] = ((self._work(job.arg),), None)
            except Exception as exc:
                answer = (None, exc)
            with self._lock:
                if self._closed:
                    return
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    job.loop.call_soon_threadsafe(self._answered, job, *answer)

        threading.Thread(target=work, name=self._name, daemon=True).start()

    def _answered(self, job: _Job[A, T], result: tuple[T] | None, error: Exception | None) -> None:
        if self._running is not job:  # closed meanwhile
            return
        if not job.done.done():
            if error is not None:
                job.done.set_exception(error)
            else:
                job.done.set_result(result)
        self._next()
