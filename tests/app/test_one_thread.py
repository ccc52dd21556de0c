"""The model's one thread at a time (``app/session/off_loop.py``): a question waiting behind
the running one may be dropped by whoever asked it (its task cancelled, as a loop ending
cancels what is pending); a newer question then still supersedes it and is answered."""

from __future__ import annotations

import asyncio
import threading

from app.session.off_loop import OneThread


def test_a_newer_question_supersedes_a_waiting_one_whose_asker_was_cancelled():
    go = threading.Event()

    def work(n: int) -> int:
        if n == 1:
            go.wait(10)  # the running one, held
        return n * 10

    async def asked() -> list[int | None]:
        thread: OneThread[int, int] = OneThread(work, name="test one thread")
        first = asyncio.ensure_future(thread.run(1))
        await asyncio.sleep(0.01)
        second = asyncio.ensure_future(thread.run(2))  # waits behind the first
        await asyncio.sleep(0.01)
        second.cancel()  # its asker gone
        await asyncio.gather(second, return_exceptions=True)
        third = asyncio.ensure_future(thread.run(3))  # supersedes the second
        go.set()
        return [await first, await third]

    assert asyncio.run(asyncio.wait_for(asked(), 10)) == [10, 30]


def test_a_waiting_question_whose_asker_was_cancelled_is_not_worked_out():
    go, worked = threading.Event(), []

    def work(n: int) -> int:
        worked.append(n)
        if n == 1:
            go.wait(10)
        return n * 10

    async def asked() -> int | None:
        thread: OneThread[int, int] = OneThread(work, name="test one thread")
        first = asyncio.ensure_future(thread.run(1))
        await asyncio.sleep(0.01)
        second = asyncio.ensure_future(thread.run(2))
        await asyncio.sleep(0.01)
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)
        go.set()
        answer = await first
        await asyncio.sleep(0.2)  # a thread for the second would have run by now
        assert not thread.busy
        return answer

    assert asyncio.run(asyncio.wait_for(asked(), 10)) == 10
    assert worked == [1]
