"""The cycle collector's pause is the process's: blocks open in several threads at once
keep it off until the last one ends, and it comes back as the first block found it. A
command-line run's process leaves it off once the measuring is over, never before. What is
settled between runs is frozen: a full collection walks it no more, and it is freed when
dropped."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator

import pytest

from simulator.trace import collector
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


@pytest.fixture
def _policy_undone() -> Iterator[None]:
    yield
    collector.off_after_measuring(False)
    collector._PAUSES.exiting = False
    while collector._PAUSES.depth:  # the pause a measuring_ended() below never leaves
        collector._PAUSES.leave()
    collector._KEPT.clear()


@pytest.mark.usefixtures("_policy_undone")
def test_a_process_that_exits_after_its_run_leaves_the_collector_off_once_measured():
    collector.off_after_measuring()
    assert not gc.isenabled()  # its start: imports and Django's boot
    collector.settle()
    assert gc.isenabled()  # the run is measured with the collector as ever
    collector.measuring_ended()
    assert not gc.isenabled()
    with paused_collection():  # the summary, the exports: their pauses end, it stays off
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("_policy_undone")
def test_a_process_that_exits_after_its_run_starts_with_it_off_and_settles_as_ever():
    gc.disable()  # the launcher's, before it imports the collector (and numpy with it)
    collector.off_after_measuring(was_enabled=True)
    assert not gc.isenabled()
    garbage = _Cyclic()
    gone = weakref.ref(garbage)
    del garbage
    alive = [[n] for n in range(100)]
    collections = gc.get_stats()[2]["collections"]
    collector.settle()  # the run's start: the start's one full collection, then frozen
    assert gc.isenabled()  # and the run is measured with the collector on, as ever
    assert gc.get_stats()[2]["collections"] == collections + 1
    assert gone() is None
    assert _walked(alive) == 0


@pytest.mark.usefixtures("_policy_undone")
def test_saying_it_no_more_ends_the_pause_of_the_start():
    collector.off_after_measuring()
    collector.off_after_measuring(False)
    assert gc.isenabled()
    garbage = _Cyclic()
    gone = weakref.ref(garbage)
    del garbage
    collector.settle()  # between runs again: collected first
    assert gone() is None


@pytest.mark.usefixtures("_policy_undone")
def test_elsewhere_the_end_of_measuring_changes_nothing():
    collector.measuring_ended()  # the window, a lesson's runs, the tests
    assert gc.isenabled()


class _RunObjects:
    """Stands for a run's probes and lanes: whether they were freed is what is asked."""


@pytest.mark.usefixtures("_policy_undone")
def test_a_process_that_exits_after_its_run_keeps_the_run_until_then():
    collector.off_after_measuring()
    held = _RunObjects()
    seen = weakref.ref(held)
    collector.kept_until_exit(held)
    del held
    assert seen() is not None  # freed by the exit, not object by object before it


@pytest.mark.usefixtures("_policy_undone")
def test_elsewhere_nothing_is_kept():
    held = _RunObjects()
    seen = weakref.ref(held)
    collector.kept_until_exit(held)  # the window runs many runs: each freed after use
    del held
    assert seen() is None


_WIRING = """
import gc, sys
from simulator.hosting import driver
seen = []
run = driver.Driver.run
async def watched(self):
    seen.append(gc.isenabled())
    return await run(self)
driver.Driver.run = watched
import embedded_site
boot = embedded_site.boot
def booting():  # the first call boots; later ones (building the server) find it done
    if not seen:
        seen.append(("boot", gc.isenabled()))
    boot()
embedded_site.boot = booting
from app import launcher
sys.argv = ["async-lanes", "run", "--view", "async_io", "--requests", "20", "--io-ms", "5"]
import atexit
atexit.register(lambda: print("measured with", seen, "after", gc.isenabled(), file=sys.stderr))
sys.exit(launcher.main())
"""


@pytest.mark.slow
def test_the_command_line_measures_with_the_collector_on_and_ends_with_it_off():
    done = subprocess.run(
        [sys.executable, "-c", _WIRING], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "20 ok" in done.stdout
    # Django's boot with the collector off (the start's, to the run's settle); the warm-up
    # request's driver and the run's with it on.
    assert "measured with [('boot', False), True, True] after False" in done.stderr


class _Cyclic:
    """Garbage only the collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


def _walked(objects: list[object]) -> int:
    """How many of ``objects`` a full collection walks (``gc.get_objects()`` lists every
    object in the collector's generations; frozen ones are in none)."""
    ids = {id(o) for o in objects}
    return sum(id(o) in ids for o in gc.get_objects())


def test_settling_collects_cyclic_garbage_first_and_freezes_what_lives():
    garbage = _Cyclic()
    gone = weakref.ref(garbage)
    del garbage
    alive = [[n] for n in range(100)]
    collector.settle()
    assert gone() is None  # collected, not frozen for ever
    assert _walked(alive) == 0
    frozen = gc.get_freeze_count()
    del alive
    assert gc.get_freeze_count() <= frozen - 100  # freed when dropped, frozen or not


@pytest.mark.usefixtures("_policy_undone")
def test_a_process_exiting_after_its_run_settles_nothing_once_measured():
    collector.off_after_measuring()
    collector.measuring_ended()
    young = [[n] for n in range(10)]
    collector.settle()  # the exit is near: no collection, nothing frozen
    assert _walked(young) == 10


@pytest.mark.slow
def test_a_finished_run_is_not_walked_by_full_collections_and_is_freed_when_dropped():
    from simulator.hosting.engine import run_scenario
    from simulator.scenario import Scenario

    run = run_scenario(Scenario(view="async_sync_orm_bug", mode="wsgi", requests=4))
    ours: list[object] = [run, run.trace, run.summary, *run.trace.lanes]
    ours += [segment for lane in run.trace.lanes for segment in lane.segments]
    assert _walked(ours) == 0  # the window's next live frames do not walk the last run
    frozen = gc.get_freeze_count()
    count = len(ours)
    del run, ours
    # No cycle keeps them: a frozen cycle would be kept for ever.
    assert gc.get_freeze_count() <= frozen - count


def test_no_pause_while_a_run_is_measured():
    with collector.measuring():
        with paused_collection():  # a live frame's snapshot, amid the site's requests
            assert gc.isenabled()  # the site's collector runs as it would alone
    with paused_collection():  # the run is over: its final trace is built paused
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_opened_before_a_run_is_measured_goes_on_to_its_end():
    with paused_collection():  # another run's export, on a thread
        with collector.measuring():
            with paused_collection():
                assert not gc.isenabled()
            assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.slow
def test_a_live_snapshot_leaves_the_sites_collector_on_and_the_final_trace_pauses_it():
    """A real run: its live frame (taken on a worker thread, as the window takes them) is
    built with the collector on; its final trace, built once the run is over, paused."""
    import asyncio

    from simulator.hosting import live_lanes
    from simulator.hosting.engine import LiveRun
    from simulator.scenario import Scenario

    on_while_built: list[bool] = []  # each time the lanes were built, in order
    update = live_lanes.LiveLanes.update

    def watched(self, *args, **kwargs):
        on_while_built.append(gc.isenabled())
        return update(self, *args, **kwargs)

    async def run() -> int:
        live = LiveRun(Scenario(view="async_io", requests=30, io_ms=60))
        task = asyncio.ensure_future(live.run())
        while not live.started:
            await asyncio.sleep(0.005)
        await asyncio.to_thread(live.snapshot)
        return len((await task).trace.lanes)

    live_lanes.LiveLanes.update = watched  # type: ignore[method-assign]
    try:
        assert asyncio.run(run()) == 30
    finally:
        live_lanes.LiveLanes.update = update  # type: ignore[method-assign]
    assert on_while_built == [True, False]


def test_a_window_s_settle_collects_young_garbage_freezes_the_rest_and_walks_no_old_objects():
    # The window's process measures nothing (its site runs elsewhere): no full collection,
    # which walked every object of a 10,000-request run (135-165 ms) and found no garbage.
    generations: list[int] = []

    def noted(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    garbage, alive = _Cyclic(), _Cyclic()
    gone = weakref.ref(garbage)
    del garbage
    gc.callbacks.append(noted)
    try:
        collector.settle(full=False)
    finally:
        gc.callbacks.remove(noted)
        frozen = not any(o is alive for o in gc.get_objects())
        gc.unfreeze()
    assert gone() is None  # made since the last collection: young, collected
    assert frozen
    assert generations and max(generations) < 2


class _Made:
    """A small object the collector tracks (as a lane's segment is)."""

    __slots__ = ("value", "__weakref__")

    def __init__(self, value: object) -> None:
        self.value = value


def test_objects_made_unwalked_are_frozen_not_left_young_and_freed_when_dropped():
    # A frame of 10,000 lanes made ~100,000 young objects with the collector paused: the
    # first allocation after the pause walked them all in one young collection, on the
    # window's thread as it drew (38-72 ms).
    young = gc.get_count()[0]
    frozen = gc.get_freeze_count()
    try:
        with collector.made_unwalked():
            assert not gc.isenabled()
            made = [_Made(i) for i in range(20_000)]
        assert gc.isenabled()
        assert gc.get_count()[0] < young + 1_000  # none of them left young
        assert gc.get_freeze_count() >= frozen + 20_000
        one = weakref.ref(made[0])
        del made
        assert one() is None  # still freed by reference counting
    finally:
        gc.unfreeze()


def test_the_window_s_reader_applies_the_site_s_frames_with_what_they_made_unwalked(
    monkeypatch: pytest.MonkeyPatch,
):
    import pickle
    from multiprocessing import Pipe

    from simulator.hosting.site_process import SiteProcess

    kept: list[list[_Made]] = []

    def take(self: SiteProcess, message: object) -> None:
        kept.append([_Made(i) for i in range(20_000)])  # the frame applied

    monkeypatch.setattr(SiteProcess, "_take", take)
    ours, theirs = Pipe()
    theirs.send_bytes(pickle.dumps(("frame", 1)))
    theirs.close()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    frozen = gc.get_freeze_count()
    site = SiteProcess()
    try:
        site._read(ours, child)  # one frame, then the site's end
        assert len(kept) == 1
        assert gc.get_freeze_count() >= frozen + 20_000
    finally:
        gc.unfreeze()
