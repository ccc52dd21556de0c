"""What the run limit costs after the run: a 10,000-request run summarised and saved in seconds.

Run with ``python benchmarks/scale.py`` (``--quick`` for a tenth of the sizes). It prints:

1. ``run --requests 10000 --io-ms 1000 --json F`` (``async_io``, ASGI), in a fresh process:
   the makespan; from the last answer to its figures as the command line prints them (target
   ≤ 2 s: the answers' figures, while Django still tidies up, ``app/cli/answered.py``); from
   the last answer to the whole summary, split into Django's own work after its answers
   (``request_finished``, closing each response and ending asgiref's thread per request:
   the lanes' tails, measured like the rest; of it, how long the site's loop waits in
   ``Thread.start`` for the thread asgiref starts per request to join that request's own:
   README, the paragraph on ``run`` "After a burst of thousands of requests") and what
   follows it (lanes built, figures); the
   process's peak memory (≤ 1 GB); the time to write F and its size (≤ 50 MB).
2. ``async-lanes run --view async_io --mode asgi --requests 3000 --io-ms 500 --cpu-ms 0
   --json F`` as a user types it: the whole command's wall time minus ``summary.makespan_ms``
   (≤ 2 s quiet, ≤ 4 s busy: interpreter start, Django's boot and exit included), F's size
   (≤ 15 MB); of that, Django's own work after the last answer (from F's lanes) and the rest:
   the start-up (to the first send, at most: read from when the answers' figures were printed,
   ``GRACE_S`` after the last answer or later), ours after Django's tidying (to F's
   modification time; so at least) and the exit; and when the figures reached the terminal;
   and the command's CPU time (every thread's), which a busy machine stretches much less; and
   the start-up alone: the same command for one request that waits for nothing (whole: its wall
   time and its CPU, which a busy machine stretches much less), and
   ours after tidying taken as the rest minus that and the exit. Where the environment keeps
   Python from writing its bytecode cache (``PYTHONDONTWRITEBYTECODE``, as this machine's
   shells do), our modules the command imports are compiled into it first, as an installed
   package has them (pip compiles it) and a checkout's first start writes it: without it,
   every start compiles them again (the figure printed says how much that costs).
3. For comparison, each burst on a plain uvicorn serving the site, ``hey`` the client: how
   long after ``hey``'s last answer Django's threads are gone. No code of ours serves there,
   so this is Django's own work after answering, which (1) and (2) wait for to save it
   measured. The 10,000 one runs right after (1), in the same minutes, and (1)'s last answer
   to the whole summary is then read as its two parts: Django's own after answering, beside
   the plain uvicorn's, and ours after it (what the 2 s target is for). ``hey -c 10000``
   needs 10,000 open files in each process: the soft limit is raised to the hard one.

And the machine's load (``os.getloadavg``) before and after each: the figures are read on a
shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.trace import Run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(requests: int, io_ms: float, out: str) -> None:
    """In a fresh process: run, time the figures from the last answer, write the JSON."""
    import gc

    from app.launcher import _one_blas_thread

    # As `async-lanes run` starts (app.launcher): one BLAS thread, the collector off from
    # before the imports to the run's start, and off again from the run's end to the exit.
    _one_blas_thread()
    collecting = gc.isenabled()
    gc.disable()
    from simulator.trace.collector import off_after_measuring

    off_after_measuring(was_enabled=collecting)

    import asyncio
    import dataclasses

    import embedded_site
    from app.cli.answered import at_last_answer
    from simulator.files import write_json
    from simulator.hosting.engine import LiveRun
    from simulator.metrics.summary import summarize
    from simulator.scenario import Scenario

    embedded_site.boot()
    scenario = Scenario(view="async_io", mode="asgi", requests=requests, io_ms=io_ms, cpu_ms=0)
    live = LiveRun(scenario)
    shown_ns: list[int] = []
    answered_cpu: list[float] = []  # this thread's CPU clock at the last answer
    starts = _ThreadStarts()
    # The final trace is built and summarised on a worker thread (LiveRun.run): its CPU too.
    final_cpu: list[float] = []
    final_run = live._final_run

    def timed_final_run() -> Run:
        cpu = time.thread_time()
        try:
            return final_run()
        finally:
            final_cpu.append(time.thread_time() - cpu)

    live._final_run = timed_final_run  # type: ignore[method-assign]

    async def last_answer() -> None:
        await live.answered()
        answered_cpu.append(time.thread_time())
        starts.counting = True

    async def measure() -> Run:
        running = asyncio.ensure_future(live.run())
        asyncio.ensure_future(last_answer())
        # As the command line does: the answers' figures once every answer is in, if
        # Django is still tidying up after them by then.
        early = asyncio.ensure_future(
            at_last_answer(live, running, lambda *_: shown_ns.append(time.perf_counter_ns()))
        )
        run = await running
        early.cancel()
        return run

    run = asyncio.run(measure())  # the Run holds the summary
    summarised_ns = time.perf_counter_ns()
    starts.counting = False
    summarised_cpu = time.thread_time()
    written = time.perf_counter()
    write_json(run, out)
    json_s = time.perf_counter() - written
    json_cpu_s = time.thread_time() - summarised_cpu
    # The figures alone, computed again from the same lanes (afresh: a trace's columns are
    # built on first use): the rest of "its end to the summary" is building the lanes.
    again = dataclasses.replace(run.trace)
    figured, figured_cpu = time.perf_counter(), time.thread_time()
    summarize(again)
    figures_s = time.perf_counter() - figured
    figures_cpu_s = time.thread_time() - figured_cpu
    print(
        json.dumps(
            {
                "makespan_ms": run.summary.makespan_ms,
                # The trace's end is the last answer, on this process's perf_counter clock;
                # its last segment's end, when Django finished its last request's own work
                # after answering (request_finished, closing the response: in the lanes).
                "answers_s": (shown_ns[0] - run.trace.end_ns) / 1e9 if shown_ns else None,
                "summary_s": (summarised_ns - run.trace.end_ns) / 1e9,
                "tails_s": (run.trace.last_ns - run.trace.end_ns) / 1e9,
                "after_tails_s": (summarised_ns - run.trace.last_ns) / 1e9,
                "json_s": json_s,
                "figures_s": figures_s,
                # What a busy machine stretches less: this (the main) thread's CPU from the
                # last answer to the summary (the answers' figures: the loop idles while
                # Django tidies) and the final trace's worker's (lanes and figures), the
                # JSON's and the figures' alone.
                "ours_cpu_s": summarised_cpu - answered_cpu[0] + sum(final_cpu)
                if answered_cpu
                else None,
                "json_cpu_s": json_cpu_s,
                "figures_cpu_s": figures_cpu_s,
                "segments": sum(len(lane.segments) for lane in run.trace.lanes),
                # Django's tidying: the site's loop waiting in Thread.start for the thread
                # asgiref starts per request to end that request's own thread.
                "loop_starts": starts.count,
                "loop_starts_s": starts.wall_s,
                "loop_starts_cpu_s": starts.cpu_s,
            }
        )
    )


class _ThreadStarts:
    """How long the site's event loop spends in ``threading.Thread.start`` once every answer
    is in (the benchmark's own wrapper, a microsecond a call, in this child only).

    What Django does after answering a request under ASGI ends in asgiref's
    ``ThreadSensitiveContext.__aexit__``: the request's own thread (the one-thread executor
    its sync work ran on) is joined by one more thread, started there, on the loop; ``start``
    returns once that new thread runs, so the loop waits for each, one request after
    another, as long as the machine takes to schedule a new thread amid thousands."""

    def __init__(self) -> None:
        import threading

        from simulator.trace.kinds import LOOP_THREAD

        self.counting = False
        self.count = 0
        self.wall_s = self.cpu_s = 0.0
        start = threading.Thread.start

        def timed(thread: threading.Thread) -> None:
            if not self.counting or threading.current_thread().name != LOOP_THREAD:
                start(thread)
                return
            wall, cpu = time.perf_counter(), time.thread_time()
            start(thread)
            self.count += 1
            self.wall_s += time.perf_counter() - wall
            self.cpu_s += time.thread_time() - cpu

        threading.Thread.start = timed  # type: ignore[method-assign,assignment]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _big(requests: int, io_ms: float, folder: Path) -> dict[str, float]:
    out = folder / "big.json"
    cmd = [sys.executable, __file__, "--child", str(requests), str(io_ms), str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    text = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the {requests}-request run failed ({proc.returncode})")
    figures = json.loads(text)
    size_mb = out.stat().st_size / 1e6
    peak_mb = usage.ru_maxrss / 1024  # kB on Linux
    label = f"{requests:,} × {io_ms:g} ms async_io with --json"
    print(f"{label}: {figures['segments']:,} segments")
    print(f"  makespan                     {figures['makespan_ms'] / 1000:8.2f} s")
    summary_s, tails_s, rest_s = figures["summary_s"], figures["tails_s"], figures["after_tails_s"]
    answers_s = figures["answers_s"]
    answers = "   (none: Django's tidying ended first)" if answers_s is None else ""
    print(
        f"  last answer to its figures   {answers_s or 0:8.2f} s   (target ≤ 2 s: the answers' "
        f"figures, as the command line prints them while Django tidies up){answers}"
    )
    print(f"  last answer to whole summary {summary_s:8.2f} s   (the server's figures), of which")
    print(f"    Django's own after-answer work {tails_s:6.2f} s   (the lanes' tails), of which")
    print(
        f"      the loop in Thread.start {figures['loop_starts_s']:8.2f} s   (CPU "
        f"{figures['loop_starts_cpu_s']:.2f} s; {figures['loop_starts']:,} threads asgiref "
        "started, one a request, each to join that request's own thread)"
    )
    print(f"    its end to the summary     {rest_s:8.2f} s   (lanes built, figures)")
    figures_s = figures["figures_s"]
    lanes_s = rest_s - figures_s
    print(f"      lanes built              {lanes_s:8.2f} s   (the rest: every lane, loop closed)")
    print(f"      figures                  {figures_s:8.2f} s   (summarize, timed again on them)")
    if figures["ours_cpu_s"] is not None:
        print(
            f"  our CPU, last answer to summary {figures['ours_cpu_s']:5.2f} s   (the main "
            f"thread's and the final trace's worker's: answers' figures, lanes, figures; of "
            "it the figures "
            f"{figures['figures_cpu_s']:.2f} s)"
        )
    print(f"  peak memory                  {peak_mb:8.0f} MB  (target ≤ 1,000 MB)")
    print(f"  JSON written in              {figures['json_s']:8.2f} s")
    print(f"    its CPU                    {figures['json_cpu_s']:8.2f} s")
    print(f"  JSON size                    {size_mb:8.1f} MB  (target ≤ 50 MB)")
    print(f"  load average after           {_load()}")
    return {"summary_s": summary_s, "tails_s": tails_s, "ours_s": rest_s}


def _against_plain(big: dict[str, float], plain_s: float | None) -> None:
    """The last answer to the whole summary, read as the two parts it is: Django's own work
    after answering, measured beside what a plain uvicorn's Django does after ``hey``'s
    last answer in the same minutes, and ours after it (the 2 s target's part)."""
    if plain_s is None:
        return
    ours_s, tails_s = big["ours_s"], big["tails_s"]
    print("last answer to whole summary, read against a plain uvicorn of the same size:")
    print(
        f"  Django's own after answering {tails_s:8.2f} s   (the lanes' tails; on the plain "
        f"uvicorn {plain_s:.2f} s: ours takes {tails_s / plain_s:.2f} × its time)"
    )
    verdict = "met" if ours_s <= 2 else "missed"
    print(
        f"  ours after it                {ours_s:8.2f} s   (lanes built, figures: ≤ 2 s "
        f"{verdict} for our part; the rest is Django's own, which no client waits for)"
    )


def _project_bytecode(folder: Path) -> tuple[int, float] | None:
    """Our modules that ``async-lanes run`` imports, compiled into Python's bytecode cache
    (their ``__pycache__`` folders, which git ignores), when this environment keeps Python
    from writing it (``PYTHONDONTWRITEBYTECODE``, which this machine's shells set): without
    it every start compiles each of them again, which no user's start does (pip compiles an
    installed package; a checkout's Python writes its cache at the first start). Returns how
    many modules and what compiling them costs each start without the cache (CPU, the best
    of three); ``None`` when Python writes its cache here anyway."""
    import py_compile

    if not sys.flags.dont_write_bytecode:
        return None
    listed = folder / "modules.json"
    code = (
        "import json, sys\n"
        "from app.launcher import main\n"
        f"main(['run', '--requests', '1', '--io-ms', '0', '--json', {str(folder / 'm.json')!r}])\n"
        f"open({str(listed)!r}, 'w').write(json.dumps([getattr(m, '__file__', None) or ''"
        " for m in list(sys.modules.values())]))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    ours = tuple(f"{ROOT / package}{os.sep}" for package in ("app", "simulator", "embedded_site"))
    files = sorted(
        {f for f in json.loads(listed.read_text()) if f.startswith(ours) and f.endswith(".py")}
    )
    sources = [(f, Path(f).read_bytes()) for f in files]
    best = float("inf")
    for _ in range(3):
        cpu = time.process_time()
        for name, source in sources:
            compile(source, name, "exec", dont_inherit=True)
        best = min(best, time.process_time() - cpu)
    try:
        for name, _ in sources:
            py_compile.compile(name, doraise=True)
    except (OSError, py_compile.PyCompileError) as exc:  # a read-only checkout: as it is
        print(f"(our bytecode could not be cached, so each start compiles it: {exc})")
        return None
    return len(files), best


def _command(requests: int, io_ms: float, folder: Path) -> float:
    out = folder / "cli.json"
    compiled = _project_bytecode(folder)
    cmd = [
        str(Path(sys.executable).with_name("async-lanes")),
        *("run", "--view", "async_io", "--mode", "asgi"),
        *("--requests", str(requests), "--io-ms", f"{io_ms:g}", "--cpu-ms", "0"),
        *("--json", str(out)),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    printed_s = None  # when the answers' figures reached the terminal
    for text in proc.stdout:
        if printed_s is None and text.lstrip().startswith("makespan"):
            printed_s = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0)
    wall_s = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the command failed ({proc.returncode})")
    # When F was written whole (a temporary file, then renamed), on this clock.
    written_s = out.stat().st_mtime - (time.time() - time.perf_counter()) - start
    data = json.loads(out.read_text(encoding="utf-8"))
    makespan_s = data["summary"]["makespan_ms"] / 1000
    # When Django finished its last request's own work after answering (in the lanes).
    last_s = max(seg["end_ms"] for req in data["requests"] for seg in req["segments"]) / 1000
    print(f"async-lanes run --requests {requests} --io-ms {io_ms:g} --json F (whole command):")
    if compiled is not None:
        count, compile_s = compiled
        print(
            f"  (our {count} modules it imports were compiled to Python's bytecode cache first,"
            " as an installed package has them:"
        )
        print(
            f"   PYTHONDONTWRITEBYTECODE is set here, and without the cache each start compiles"
            f" them again, + {compile_s:.2f} s of CPU)"
        )
    print(f"  wall time                    {wall_s:8.2f} s")
    print(f"  makespan                     {makespan_s:8.2f} s")
    print(
        f"  wall time minus makespan     {wall_s - makespan_s:8.2f} s   (target ≤ 2 s quiet, "
        "≤ 4 s busy), of which"
    )
    tidying_s = last_s - makespan_s
    print(f"    Django's own after-answer work {tidying_s:6.2f} s   (the lanes' tails)")
    rest_s = wall_s - makespan_s - tidying_s
    print(f"    the rest: start-up, ours, exit {rest_s:6.2f} s")
    if printed_s is not None:
        # The answers' figures are printed GRACE_S after the last answer, or later when the
        # loop wakes late amid Django's threads: so the first send came at most then minus
        # the makespan. From the first send, the makespan, Django's tidying, then ours.
        from app.cli.answered import GRACE_S

        start_s = printed_s - GRACE_S - makespan_s
        exit_s = wall_s - written_s
        print(
            f"      start-up, at most        {start_s:8.2f} s   (interpreter, imports, Django's "
            "boot, warm-up: to the first send, from when the figures were printed)"
        )
        print(
            f"      ours after tidying, ≥    {rest_s - start_s - exit_s:8.2f} s   "
            "(lanes built, figures, F written)"
        )
        print(
            f"      exit                     {exit_s:8.2f} s   (from F's last byte written: its "
            "fsync, the summary printed, the exit)"
        )
        # The start-up on its own: the same command for one request that waits for nothing
        # (its run, file and exit take milliseconds), right after.
        alone_s, alone_cpu_s = _one_request(folder)
        print(
            f"      start-up, one request    {alone_s:8.2f} s   (the same command with "
            f"--requests 1 --io-ms 0, whole, median of 3: start-up, then ms; CPU "
            f"{alone_cpu_s:.2f} s)"
        )
        print(
            f"      ours after tidying, then {rest_s - alone_s - exit_s:8.2f} s   (the rest "
            "minus that start-up and the exit)"
        )
    if printed_s is not None:
        print(f"  the figures printed at       {printed_s:8.2f} s   (of the wall time)")
    print(f"  F's size                     {out.stat().st_size / 1e6:8.1f} MB  (target ≤ 15 MB)")
    # What a busy machine does not stretch: the CPU the command used, its threads and Django's
    # included (compare it between two versions run in the same minutes).
    cpu_s = usage.ru_utime + usage.ru_stime
    print(f"  CPU time of the command      {cpu_s:8.2f} s   (user + system, every thread)")
    print(f"  load average after           {_load()}")
    return tidying_s


def _one_request(folder: Path) -> tuple[float, float]:
    """The wall time of ``async-lanes run`` for one request of ``async_io`` that waits for
    nothing, with ``--json`` (the median of three): the command's start-up and exit, and
    milliseconds between; and its CPU time (user + system, every thread; the median of
    three), which a busy machine stretches much less."""
    cmd = [
        str(Path(sys.executable).with_name("async-lanes")),
        *("run", "--view", "async_io", "--mode", "asgi", "--requests", "1"),
        *("--io-ms", "0", "--cpu-ms", "0", "--json", str(folder / "one.json")),
    ]
    walls, cpus = [], []
    for _ in range(3):  # the median of three: one is easily caught by another process
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"the one-request command failed ({proc.returncode})")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return sorted(walls)[1], sorted(cpus)[1]


def _threads(pid: int) -> int:
    """How many threads process ``pid`` has (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def _uvicorn(requests: int, io_ms: float, ours_s: float | None = None) -> float | None:
    """The same burst on a plain uvicorn serving the site, with ``hey`` as the client: how
    long after ``hey``'s last answer Django's threads (one per request, asgiref's) are gone
    (returned; ``None`` if skipped). Nothing of ours runs in that process: this is Django's
    own work after answering. ``ours_s``, Django's own after-answer work in our run of the
    same size measured just before, is printed beside it.

    ``hey -c N`` opens all N connections at once: uvicorn's listen backlog is asked for
    twice that, but the kernel caps it (``net.core.somaxconn``; 4,096 here), so at 10,000 a
    connection the backlog had no room for is retried by the client's kernel a second or
    more later. Its answer comes later, not never: the figure is still Django's threads
    after the last one. Each connection is a file descriptor in both processes: the soft
    limit is raised to the hard one for them (``resource``), and the run is skipped, saying
    so, if that is still too few."""
    import shutil
    import socket
    import threading
    import urllib.request

    hey, uvicorn = shutil.which("hey"), Path(sys.executable).with_name("uvicorn")
    if hey is None or not uvicorn.exists():
        print("plain uvicorn + hey: skipped (needs hey and the servers extra)")
        return None
    if (limit := _descriptors(requests + 200)) is not None:
        print(f"plain uvicorn + hey, {requests:,}: skipped ({limit})")
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "embedded_site.settings"}
    server = subprocess.Popen(
        [str(uvicorn), "embedded_site.asgi:application", "--port", str(port)]
        + ["--log-level", "warning", "--backlog", str(2 * requests)],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/async_io/?io_ms={io_ms:g}&cpu_ms=0"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url.replace(f"io_ms={io_ms:g}", "io_ms=0"), timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        baseline = _threads(server.pid)
        peak = [baseline]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _threads(server.pid))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.perf_counter()
        cmd = [hey, "-n", str(requests), "-c", str(requests), "-t", "120", url]
        report = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        answered = time.perf_counter()
        while _threads(server.pid) > baseline and time.perf_counter() - answered < 120:
            time.sleep(0.01)
        gone = time.perf_counter()
        done.set()
    finally:
        server.terminate()
        server.wait(10)
    ok = sum(int(n) for n in re.findall(r"\[200\]\s+(\d+) responses", report))
    print(f"plain uvicorn + hey, {requests:,} × {io_ms:g} ms async_io (no code of ours serving):")
    print(f"  hey's wall time              {answered - start:8.2f} s   ({ok:,} answered 200)")
    print(
        f"  Django's threads gone after  {gone - answered:8.2f} s   after hey's last answer "
        f"({peak[0]:,} threads at peak)"
    )
    if ours_s is not None:
        print(
            f"  in ours, the same size       {ours_s:8.2f} s   (Django's own after-answer work in "
            "our run just before, the lanes' tails)"
        )
    print(f"  load average after           {_load()}")
    return gone - answered


def _descriptors(needed: int) -> str | None:
    """Raise this process's soft limit of open files to ``needed`` (its children, uvicorn
    and hey, inherit it), at most to the hard limit; why that is not enough, or ``None``."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        top = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))
        soft = top
    if soft != resource.RLIM_INFINITY and soft < needed:
        return f"{needed:,} open files needed, the hard limit is {hard:,}: ulimit -Hn"
    return None


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument(
        "--only",
        choices=("big", "command", "uvicorn", "plain-big"),
        help="one of the three measures (big: with plain uvicorn + hey at its size; "
        "plain-big: that alone)",
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"load average before: {_load()}  ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="lanes-scale-") as folder:
        if args.only in (None, "big"):
            big = _big(10_000 // scale, 1000, Path(folder))
            # Django's own tidying at that size with nothing of ours serving, in the same
            # minutes: what of those seconds is Django's (README: "After a burst").
            _against_plain(big, _uvicorn(10_000 // scale, 1000, big["tails_s"]))
        if args.only == "plain-big":
            _uvicorn(10_000 // scale, 1000)
        tidying_s = None
        if args.only in (None, "command"):
            tidying_s = _command(3000 // scale, 500, Path(folder))
        if args.only in (None, "uvicorn"):
            _uvicorn(3000 // scale, 500, tidying_s)


if __name__ == "__main__":
    main()
