"""The window's site in a process of its own: a run there is watched frame by frame and
ends with its measured run, as in the window's process; Stop stops it; the site's process
dying mid-run is one clear error; closing leaves no process and no scratch folder behind."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from embedded_site.scratch import PREFIX
from simulator.errors import LanesError
from simulator.hosting.engine import STOP_PATIENCE_S
from simulator.hosting.site_process import ProcessRun, SiteProcess
from simulator.scenario import Scenario
from simulator.server_extra import missing_server
from simulator.trace import Run, Trace

pytestmark = pytest.mark.slow


async def watched(handle: ProcessRun, stop_after_s: float | None = None) -> tuple[Run, list[Trace]]:
    """``handle`` run to its end, a snapshot taken every 20 ms on a worker thread (as the
    window takes them); stopped after ``stop_after_s`` of frames, if given."""
    frames: list[Trace] = []
    task = asyncio.ensure_future(handle.run())
    first: float | None = None
    while not task.done():
        await asyncio.sleep(0.02)
        if not handle.started:
            continue
        frames.append(await asyncio.to_thread(handle.snapshot, time.perf_counter_ns()))
        first = first or time.monotonic()
        if stop_after_s is not None and time.monotonic() - first > stop_after_s:
            handle.stop()
            stop_after_s = None
    return await task, frames


async def signalled_mid_run(
    site: SiteProcess, handle: ProcessRun, signum: int, pids: list[int] | None = None
) -> Run:
    """``handle`` run until its requests are being sent and one frame was taken, then its
    site's process sent ``signum`` (its pid noted in ``pids``): what the run ended with."""
    task = asyncio.ensure_future(handle.run())
    while not handle.started:
        await asyncio.sleep(0.01)
    await asyncio.to_thread(handle.snapshot, time.perf_counter_ns())
    assert site.pid is not None
    if pids is not None:
        pids.append(site.pid)
    os.kill(site.pid, signum)
    return await task


def site_threads() -> set[str]:
    """Threads of this process that only a site running here would have."""
    return {t.name for t in threading.enumerate() if t.name in ("asgi-loop", "django-boot")}


def test_a_run_is_measured_in_the_site_s_process_and_watched_from_this_one():
    site = SiteProcess()
    try:
        handle = site(Scenario(view="async_io", requests=200, io_ms=150, arrival_ms=1))

        async def go() -> tuple[Run, list[Trace], bool, set[str]]:
            answered = asyncio.ensure_future(handle.answered())
            seen: set[str] = set()

            async def look() -> None:
                while True:
                    seen.update(site_threads())
                    await asyncio.sleep(0.01)

            looking = asyncio.ensure_future(look())
            run, frames = await watched(handle)
            looking.cancel()
            return run, frames, answered.done(), seen

        run, frames, answered, seen = asyncio.run(go())
        assert seen == set()  # Django's loop never ran in this process
        assert answered and not run.stopped
        assert len(run.trace.lanes) == 200 and run.summary.ok == 200
        assert run.trace.loop_thread == "asgi-loop"
        # Its columns came built (by the thread that read it): the window's thread draws the
        # finished run without building them (130 ms at 10,000 requests).
        assert run.trace.built_columns is not None
        # Frames grew (later ends; a lane drawn up to one frame's "now" may end earlier in
        # the next, once the site's record of its end arrives), and lanes a later frame kept
        # are the same objects (what the painter counts on).
        assert len(frames) >= 3
        ends = [max((lane.end_ns for lane in f.lanes), default=0) for f in frames]
        assert ends[-1] > ends[0]
        assert any(
            a is b
            for x, y in zip(frames, frames[1:], strict=False)
            for a, b in zip(x.lanes, y.lanes, strict=False)
        )
        # The figures of the answers, then the last frame and the run, agree on the count.
        answers, tidying = handle.answers()
        assert len(answers.trace.lanes) == 200 and tidying == 0
    finally:
        site.close()


def test_stop_ends_a_run_in_the_site_s_process_with_what_was_measured():
    site = SiteProcess()
    try:
        handle = site(Scenario(view="async_io", requests=300, io_ms=5000, arrival_ms=2))
        start = time.monotonic()
        run, frames = asyncio.run(watched(handle, stop_after_s=0.3))
        assert time.monotonic() - start < 15
        assert run.stopped and frames
        statuses = {lane.status for lane in run.trace.lanes}
        assert "cancelled" in statuses
    finally:
        site.close()


def test_the_site_s_process_dying_mid_run_is_one_clear_error_and_a_next_run_works():
    site = SiteProcess()
    try:
        handle = site(Scenario(view="async_io", requests=100, io_ms=5000))
        with pytest.raises(
            LanesError, match=r"site's process ended before the run did \(killed by SIGKILL\)"
        ) as lost:
            asyncio.run(signalled_mid_run(site, handle, signal.SIGKILL))
        # What the window had measured is kept, as a stopped run (never lost).
        assert "what was measured up to then is kept" in str(lost.value)
        kept = lost.value.measured
        assert kept is not None and kept.stopped and len(kept.trace.lanes) == 100
        run, _ = asyncio.run(watched(site(Scenario(view="async_io", requests=5, io_ms=10))))
        assert run.summary.ok == 5
    finally:
        site.close()


def test_closing_leaves_no_process_no_scratch_folder_and_no_thread_of_ours():
    """Closing ends the site's process and, before it returns, the thread that read it: a
    thread of ours still running Python as the window's process tears Qt down crashed it
    (a segfault on a busy machine); a finished run is told nothing more."""
    site = SiteProcess()
    handle = site(Scenario(view="sync_orm", requests=4))
    run, _ = asyncio.run(watched(handle))
    assert run.summary.ok == 4
    pid = site.pid
    assert pid is not None
    folders = list(Path(tempfile.gettempdir()).glob(f"{PREFIX}{pid}-*"))
    assert folders  # its SQLite database
    site.close()
    assert not any(t.name == "site-process reader" for t in threading.enumerate())
    assert handle.ended and not handle.leftover
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not any(folder.exists() for folder in folders)


def test_a_stopped_run_s_lingering_views_are_known_as_it_ends():
    """The session reads ``leftover`` as the run ends, to wait for the views the stopped run
    left sleeping and say so: the site's process tells of them before the run's end."""
    site = SiteProcess()
    try:
        handle = site(Scenario(view="sync_io", requests=10, io_ms=3000))

        async def stopped() -> tuple[Run, Any]:
            task = asyncio.ensure_future(handle.run())
            while not handle.started:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)
            handle.stop()
            run = await task
            return run, handle.leftover  # as the session reads it

        run, leftover = asyncio.run(stopped())
        assert run.stopped
        assert leftover is not None and leftover.is_alive()
        deadline = time.monotonic() + 30
        while leftover.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not leftover.is_alive() and handle.leftover is None
    finally:
        site.close()


def test_sigterm_ends_the_site_s_process_through_its_exit_handlers():
    """SIGTERM to the site's process (``kill``, a session's end, a whole process group's) ends
    it as the window's end does: the run stopped with what was measured, its scratch folder
    removed; the next run starts the site's process again."""
    site = SiteProcess()
    try:
        # Its views sleep 10 s: the signal comes before any answer, however busy the machine.
        # (It failed 1 run in 5 when the signal went to a thread other than the one that
        # reads the window: test_site_replies.py has that case on its own.)
        handle = site(Scenario(view="sync_orm", requests=60, io_ms=10_000))
        pid: list[int] = []
        run = asyncio.run(signalled_mid_run(site, handle, signal.SIGTERM, pid))
        assert run.stopped and run.trace.lanes
        deadline = time.monotonic() + 10
        while site.pid is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(ProcessLookupError):
            os.kill(pid[0], 0)
        assert not list(Path(tempfile.gettempdir()).glob(f"{PREFIX}{pid[0]}-*"))
        run, _ = asyncio.run(watched(site(Scenario(view="async_io", requests=5, io_ms=10))))
        assert run.summary.ok == 5
    finally:
        site.close()


def test_a_folder_of_the_person_s_own_named_like_ours_is_not_imported(tmp_path, monkeypatch):
    """Started from a folder holding a ``simulator`` package of someone's own, the site's
    process still runs ours (the current folder is not first on its path)."""
    own = tmp_path / "simulator"
    own.mkdir()
    (own / "__init__.py").write_text('raise SystemExit("not ours")\n')
    monkeypatch.chdir(tmp_path)
    site = SiteProcess()
    try:
        run, _ = asyncio.run(watched(site(Scenario(view="async_io", requests=3, io_ms=10))))
        assert run.summary.ok == 3
    finally:
        site.close()


def test_stop_reaches_a_run_started_as_the_last_one_ended():
    """Compare mode's B, a lesson's re-run, Run after Stop: the next run starts while the site's
    process still closes the last one's loop, and Stop must reach it all the same."""
    site = SiteProcess()
    try:

        async def stopped_twice() -> list[tuple[Run, float]]:
            ended = []
            for warming_up in (True, False):
                handle = site(Scenario(view="async_io", requests=300, io_ms=5000))
                task = asyncio.ensure_future(handle.run())
                while not handle.started and not warming_up:
                    await asyncio.sleep(0.005)
                await asyncio.sleep(0.2)
                handle.stop()
                start = time.monotonic()
                ended.append((await task, time.monotonic() - start))
            return ended

        for run, took_s in asyncio.run(stopped_twice()):
            assert run.stopped and took_s < 3.0  # the run's io is 5 s
    finally:
        site.close()


def test_closing_after_a_stopped_run_does_not_wait_for_the_views_it_left_sleeping():
    """The window's end after a Stop: the views the stopped run left sleeping in the site's
    process end with it, at once, not after the patience a run still going is given."""
    site = SiteProcess()
    handle = site(Scenario(view="sync_io", requests=10, io_ms=10_000))

    async def stopped() -> Run:
        task = asyncio.ensure_future(handle.run())
        while not handle.started:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        handle.stop()
        return await task

    assert asyncio.run(stopped()).stopped
    assert handle.leftover is not None  # a view still sleeps there
    pid = site.pid
    assert pid is not None
    start = time.monotonic()
    site.close()
    took_s = time.monotonic() - start
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert took_s < 0.6 * (STOP_PATIENCE_S + 2.0)  # the patience a run still going gets


@pytest.mark.skipif(missing_server("uvicorn") is not None, reason="uvicorn is not installed")
def test_the_site_s_process_killed_mid_run_leaves_no_folder_behind():
    """SIGKILL gives the site's process no chance to remove its scratch database or its real
    servers' folders: the window sweeps them as it says the run is lost, not at some later
    start (a window closed next would have left them)."""
    site = SiteProcess()
    try:
        handle = site(Scenario(view="async_io", mode="uvicorn", requests=20, io_ms=5000))
        pid: list[int] = []
        with pytest.raises(LanesError, match=r"killed by SIGKILL"):
            asyncio.run(signalled_mid_run(site, handle, signal.SIGKILL, pid))
        left = list(Path(tempfile.gettempdir()).glob(f"async-lanes-*-{pid[0]}-*"))
        assert left == []
    finally:
        site.close()


def test_a_message_the_window_cannot_take_ends_the_run_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
):
    """A bug reading what the site's process says (a frame that cannot be applied, say) ends
    the run with one clear line and the site's process with it: the reader thread died with
    a traceback and the window waited for the run, and to close, for ever."""

    def broken(self: ProcessRun, kind: str, rest: list[object]) -> None:
        raise RuntimeError("a frame out of order")

    monkeypatch.setattr(ProcessRun, "told", broken)
    site = SiteProcess()
    try:
        handle = site(Scenario(view="async_io", requests=5, io_ms=10))
        with pytest.raises(LanesError, match=r"could not follow .*a frame out of order"):
            asyncio.run(asyncio.wait_for(handle.run(), 30))
        deadline = time.monotonic() + 10
        while site.pid is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert site.pid is None
    finally:
        site.close()


def test_a_run_begun_as_an_idle_site_s_process_dies_is_not_told_that_one_s_end(monkeypatch):
    """Run pressed just as the idle site's process died: the run goes on a new process, and
    the old one's end (read a moment later) is not said of it."""
    from simulator.hosting.site_process import parent

    entered, go_on = threading.Event(), threading.Event()
    sweep = parent.sweep_after

    def held_sweep(child: Any) -> None:  # the old end's reading held until the run has begun
        entered.set()
        go_on.wait(30)
        sweep(child)

    monkeypatch.setattr(parent, "sweep_after", held_sweep)
    site = SiteProcess()
    try:
        site.start()
        assert site.pid is not None
        os.kill(site.pid, signal.SIGKILL)
        assert entered.wait(30)

        async def run_begun_then_old_end_read() -> Run:
            handle = site(Scenario(view="async_io", requests=5, io_ms=200))
            task = asyncio.ensure_future(handle.run())
            while handle.run_id < 0 and not task.done():
                await asyncio.sleep(0.01)
            go_on.set()
            return await task

        run = asyncio.run(run_begun_then_old_end_read())
        assert run.summary.ok == 5 and not run.stopped
    finally:
        go_on.set()
        site.close()
