"""Ending an event loop a thread of ours ran, as ``asyncio.run`` ends its own.

The site's loop (``servers/asgi.py``) and the window's run on a loop of its own thread
(``app/session/client_loop.py``) are run with ``run_forever``/``run_until_complete``, not
``asyncio.run``, because other threads hand them work. Ending them the same way as
``asyncio.run`` does (its ``_cancel_all_tasks``, then the async generators and the default
executor shut down) leaves no task pending and no executor thread behind; one function
does it for both.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["close_loop", "end_thread_loop"]


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel ``loop``'s pending tasks and wait for them, shut down its async generators and
    default executor, and close it. Call it on the loop's own thread, the loop stopped."""
    try:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()


def end_thread_loop(loop: asyncio.AbstractEventLoop) -> None:
    """End the loop a thread of ours ran a run on, on that thread: :func:`close_loop`, a
    failure there swallowed (the run's outcome is told already), and the thread's current
    loop unset. The window's run loop (``client_loop``) and the site's process's run loop
    (``site_process/child.py``) end so."""
    with contextlib.suppress(Exception):  # as asyncio.run ends its loop
        close_loop(loop)  # closes it, whatever else fails
    asyncio.set_event_loop(None)
