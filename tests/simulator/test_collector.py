"""The cycle collector's pause is the process's: blocks open in several threads at once
keep it off until the last one ends, and it comes back as the first block found it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from simulator.trace.collector import paused_collection


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def _in_thread(entered: threading.Event, leave: threading.Event) -> threading.Thread:
    def hold() -> None:
        with paused_collection():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(10)
    return thread


def test_a_thread_leaving_first_does_not_turn_the_collector_on_under_another():
    entered, leave = threading.Event(), threading.Event()
    other = _in_thread(entered, leave)  # a thread exports a run...
    assert not gc.isenabled()
    with paused_collection():  # ...while the loop takes a snapshot
        leave.set()
        other.join(10)
        assert not other.is_alive()
        assert not gc.isenabled()  # the export ended; the snapshot is still going
    assert gc.isenabled()


def test_the_last_to_leave_puts_it_back_whichever_thread_came_first():
    entered, leave = threading.Event(), threading.Event()
    with paused_collection():
        other = _in_thread(entered, leave)
    assert not gc.isenabled()  # the other thread's block is still open
    leave.set()
    other.join(10)
    assert gc.isenabled()


def test_it_comes_back_as_it_was_found_and_nests():
    gc.disable()  # someone else's choice: left alone
    with paused_collection(), paused_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()
    with paused_collection():
        with paused_collection():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_many_threads_in_and_out_never_see_it_on_inside_a_block():
    seen_on: list[bool] = []
    start = threading.Barrier(6)

    def busy() -> None:
        start.wait(10)
        for _ in range(2000):
            with paused_collection():
                seen_on.append(gc.isenabled())

    threads = [threading.Thread(target=busy) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(seen_on) == 6 * 2000 and not any(seen_on)
    assert gc.isenabled()
