"""Slow work (a prediction of thousands of requests) on a thread, awaited on the loop, so the
window's loop stays free while it is worked out."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["loop_running", "off_loop"]

T = TypeVar("T")
A = TypeVar("A")


def loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _settle(future: asyncio.Future[T], result: tuple[T] | None, error: Exception | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    elif result is not None:
        future.set_result(result[0])


async def off_loop(work: Callable[[A], T], arg: A, *, name: str) -> T:
    """``work(arg)`` on a daemon thread: never joined, so closing the window mid-way does not
    wait for it. Its exception is raised here."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        try:
            result = work(arg)
        except Exception as exc:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(_settle, done, None, exc)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, done, (result,), None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return await done
