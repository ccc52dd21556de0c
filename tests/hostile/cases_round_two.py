"""The hostile table, round two (issue 25): a row per class the second tester found, with
examples of our own. Classes continue :mod:`tests.hostile.cases`: 10 servers that outlive
us, 11 names that look like loopback, 12 numbers that are not finite, 13 files that are not
files, 14 outputs, 15 inputs read loosely, 16 servers that misbehave, 17 the environment,
18 displays.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .cases import Row
from .harness import (
    Outcome,
    env,
    expect_code,
    expect_one_line,
    expect_outputs,
    launch,
    lost,
    run_cli,
)
from .upstreams import silent, too_large, too_large_chunked, with_server_timing

LINUX = sys.platform == "linux"

LESSON = """title = "{title}"
{extra}
[lesson]
explanation = "e"
question = "q?"
answer = "a"
why = "w"
look_at = "l"
figure = "makespan_ms"
follow_up = "f"
{lesson_extra}

[scenario]
requests = 2
io_ms = 1

[[claim]]
says = "s"
figure = "makespan_ms"
side = "A"
op = ">="
value = {value}
"""


def lesson_text(title: str = "A lesson", value: str = "0", lesson_extra: str = "") -> str:
    return LESSON.format(title=title, extra="", lesson_extra=lesson_extra, value=value)


# --- 10 servers that outlive us ------------------------------------------------------------


def _running_in_group(group: int) -> list[int]:
    from tests.simulator.test_server_leftovers import running_in_group

    return running_in_group(group)


def sigkill_during_start_up(mode: str, workers: int, after: float) -> Callable[[Path], Outcome]:
    """SIGKILL (no handler sees it) ``after`` seconds after the server's main process
    started (0.3 s: its workers starting; 5 s: mid-run): nothing of it within 2 s."""

    def check(tmp: Path) -> Outcome:
        from tests.simulator.test_server_leftovers import server_groups_of

        args = ["run", "--mode", mode, "--workers", str(workers), "--view", "sync_io"]
        environ = env(TMPDIR=str(tmp))
        proc = launch([*args, "--requests", "4", "--io-ms", "5000"], tmp, environ)
        groups: set[int] = set()
        deadline = time.monotonic() + 60
        while not groups and time.monotonic() < deadline and proc.poll() is None:
            groups |= server_groups_of(proc.pid)
            time.sleep(0.02)
        time.sleep(after)  # after the server's main process started
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        gone_by = time.monotonic() + 2.0  # watched until then, not waited for in full
        while (left := [p for group in groups for p in _running_in_group(group)]) and (
            time.monotonic() < gone_by
        ):
            time.sleep(0.05)
        outcome = Outcome(0, err)
        if not groups:
            outcome.notes.append("no server had started: the kill came too early to tell")
        if left:
            outcome.notes.append(f"server processes still running 2 s after: {left}")
        # The next run sweeps the folder the killed one left.
        after_run = run_cli(
            ["run", "--mode", mode, "--requests", "1", "--io-ms", "1"], tmp, environ=environ
        )
        expect_code(after_run, 0)
        outcome.problems += after_run.problems
        outcome.notes += after_run.notes
        from simulator.hosting.real_servers import FOLDER_PREFIX

        if list(tmp.glob(FOLDER_PREFIX + "*")):
            outcome.notes.append("the killed run's server folder was not swept")
        return outcome

    return check


# --- 11 names that look like loopback ------------------------------------------------------


def localhost_mapped_elsewhere(tmp: Path) -> Outcome:
    """Inside a mount and network namespace of its own (nothing can leave it), a hosts file
    maps ``localhost`` to 203.0.113.7: an upstream on ``localhost`` is refused, not trusted
    for its name. Without namespaces (not root), the resolver is replaced in-process."""
    hosts = tmp / "hosts"
    hosts.write_text("203.0.113.7 localhost\n")
    args = ["run", "--view", "async_httpx", "--upstream-url", "http://localhost:8001/"]
    inner = f"mount --bind {hosts} /etc/hosts && exec {sys.executable} -m app.launcher "
    inner += " ".join(args)
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0:
        done = subprocess.run(
            [unshare, "--mount", "--net", "--propagation", "private", "sh", "-c", inner],
            cwd=tmp,
            env=env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if "unshare failed" not in done.stderr and "mount:" not in done.stderr:
            outcome = Outcome(done.returncode, done.stderr, done.stdout)
            if "Traceback" in done.stderr:
                outcome.problems.append("traceback")
            return expect_one_line(expect_code(outcome, 2), "localhost", "--allow-host")
    from simulator.errors import ScenarioError
    from simulator.upstream_address import refuse_unless_allowed
    from tests.simulator.test_loopback import resolver

    original = socket.getaddrinfo
    socket.getaddrinfo = resolver({"localhost": [["203.0.113.7"]]})  # type: ignore[assignment]
    try:
        refuse_unless_allowed("http://localhost:8001/", ())
    except ScenarioError as exc:
        return expect_one_line(Outcome(2, f"async-lanes: error: {exc}"), "localhost")
    finally:
        socket.getaddrinfo = original  # type: ignore[assignment]
    return Outcome(0, "", notes=["localhost mapped elsewhere was trusted for its name"])


#: ``python -m flip_resolver ARGS``: the command line under a resolver that maps
#: ``lanes-flip.test`` to loopback the first time it is asked and elsewhere after.
FLIP_RESOLVER = """
import socket
import sys

real = socket.getaddrinfo
asked = []


def getaddrinfo(host, port, *args, **kwargs):
    if host != "lanes-flip.test":
        return real(host, port, *args, **kwargs)
    asked.append(host)
    address = "127.0.0.1" if len(asked) == 1 else "203.0.113.7"
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]


socket.getaddrinfo = getaddrinfo
from app.launcher import main

sys.exit(main(sys.argv[1:]))
"""


def url_name_that_moves_after_the_check(tmp: Path) -> Outcome:
    """A scenario file's ``url`` on a name the resolver maps to loopback for the check
    before the run and elsewhere after: the client connects only to an address it checked
    itself, so every request is refused, saying where the name went; nothing is sent. No
    request got an answer: exit 1, one line on stderr, the run file written all the same."""
    (tmp / "flip_resolver.py").write_text(FLIP_RESOLVER)
    (tmp / "s.toml").write_text('[scenario]\nurl = "http://lanes-flip.test:9/"\nrequests = 2\n')
    args = ["run", "--scenario", "s.toml", "--json", "out.json"]
    outcome = expect_code(run_cli(args, tmp, module="flip_resolver"), 1)
    if outcome.code != 1:
        return outcome
    if outcome.stderr.count("\n") != 1 or "none of the 2 requests" not in outcome.stderr:
        outcome.notes.append(f"expected one line saying no answer came: {outcome.stderr!r}")
    errors = {
        request["error"] for request in json.loads((tmp / "out.json").read_text())["requests"]
    }
    said = "refused: lanes-flip.test resolves to 203.0.113.7, which is not this machine"
    if len(errors) != 1 or not str(next(iter(errors))).startswith(said):
        outcome.notes.append(
            f"the requests were not refused at the call: {sorted(map(str, errors))}"
        )
    return outcome


def scenario_url_resolving_nowhere(tmp: Path) -> Outcome:
    (tmp / "s.toml").write_text(
        '[scenario]\nview = "async_httpx"\nupstream_url = "http://lanes-nowhere.invalid:8001/"\n'
    )
    outcome = run_cli(["run", "--scenario", "s.toml"], tmp)
    return expect_one_line(expect_code(outcome, 2), "lanes-nowhere.invalid", "--allow-host")


# --- 12 numbers that are not finite --------------------------------------------------------


def lesson_number(value: str, lesson_extra: str = "", *words: str) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        folder = tmp / "lessons"
        folder.mkdir()
        (folder / "01-bad.toml").write_text(lesson_text(value=value, lesson_extra=lesson_extra))
        args = [str(folder), "lesson", "1"]
        outcome = run_cli(args, tmp, module="tests.hostile.with_lessons")
        return expect_one_line(expect_code(outcome, 2), "01-bad.toml", *words)

    return check


def server_timing_not_finite(tmp: Path) -> Outcome:
    header = (
        'lanes;desc="pid=7 t0=1 thread=M", view;dur=inf;desc="at=0 thread=M", '
        'sql;dur=nan;desc="at=1e308 thread=M", total;dur=1e308'
    )
    with with_server_timing(header) as url:
        args = ["run", "--url", url + "/", "--requests", "3", "--json", "r.json", "--csv", "r.csv"]
        outcome = expect_code(run_cli(args, tmp), 0)
    return expect_outputs(outcome, tmp, ["r.json", "r.csv"])


def dial_not_finite(tmp: Path) -> Outcome:
    (tmp / "s.json").write_text('{"scenario": {"io_ms": 1e999}}')
    outcome = run_cli(["run", "--scenario", "s.json"], tmp)
    return expect_one_line(expect_code(outcome, 2), "io_ms")


# --- 13 files that are not files -----------------------------------------------------------


def fifo_as(command: list[str], name: str) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        os.mkfifo(tmp / name)
        outcome = run_cli([*command, name], tmp)
        return expect_one_line(expect_code(outcome, 2), name, "not a regular file")

    return check


def folder_as_scenario(tmp: Path) -> Outcome:
    (tmp / "s.toml").mkdir()
    outcome = run_cli(["run", "--scenario", "s.toml"], tmp)
    return expect_one_line(expect_code(outcome, 2), "s.toml", "folder")


def endless_device(tmp: Path) -> Outcome:
    (tmp / "zero.toml").symlink_to("/dev/zero")
    outcome = run_cli(["predict", "--scenario", "zero.toml"], tmp)
    return expect_one_line(expect_code(outcome, 2), "zero.toml", "not a regular file")


def lessons_folder_with(name: str, make: Callable[[Path], None], *command: str):
    """``lessons`` (or the window's start) with ``name`` beside a good lesson: the good one
    is listed, the bad one is shown broken (or left out), nothing hangs or crashes."""

    def check(tmp: Path) -> Outcome:
        folder = tmp / "lessons"
        folder.mkdir()
        (folder / "01-good.toml").write_text(lesson_text(title="Good one"))
        make(folder / name)
        outcome = run_cli([str(folder), *command], tmp, module="tests.hostile.with_lessons")
        expect_code(outcome, 0)
        if command == ("lessons",) and "Good one" not in outcome.stdout:
            outcome.notes.append(f"the good lesson is not listed: {outcome.stdout!r}")
        return outcome

    return check


def window_start_with_a_fifo_and_a_strange_digit(tmp: Path) -> Outcome:
    """The window's start lists the lessons: a FIFO and a file named '٣-x.toml' among them."""

    def make(path: Path) -> None:
        os.mkfifo(path)
        (path.parent / "٣-x.toml").write_text(lesson_text())

    return lessons_folder_with("02-fifo.toml", make, "gui", "--run", "--quit")(tmp)


# --- 14 outputs ----------------------------------------------------------------------------


def long_output_name(tmp: Path) -> Outcome:
    """A name of 250 characters (the file system takes 255): its temporary sibling must fit."""
    name = "r" * 245 + ".json"
    outcome = expect_code(
        run_cli(["run", "--requests", "1", "--io-ms", "1", "--json", name], tmp), 0
    )
    return expect_outputs(outcome, tmp, [name])


def output_refused(flag: str, value: str, *words: str) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        outcome = run_cli(["run", "--requests", "1", flag, value], tmp)
        return expect_one_line(expect_code(outcome, 2), *words)

    return check


def fifo_output_nobody_reads(tmp: Path) -> Outcome:
    """Nobody reads the FIFO: that output fails at its deadline, saying so; the others are
    whole. (The deadline made 1 s for the row: the 10 s it has otherwise were 10 s of CI.)"""
    os.mkfifo(tmp / "pipe.json")
    args = ["run", "--requests", "1", "--io-ms", "1", "--json", "pipe.json", "--csv", "r.csv"]
    started = time.monotonic()
    outcome = expect_code(run_cli(["1", *args], tmp, module="tests.hostile.short_deadline"), 1)
    if time.monotonic() - started > 30:
        outcome.problems.append("slow stop")
    expect_one_line(outcome, "pipe.json", "nothing read it")
    return expect_outputs(outcome, tmp, ["r.csv"])


# --- 15 inputs read loosely ----------------------------------------------------------------


def duplicate_json_keys(tmp: Path) -> Outcome:
    (tmp / "s.json").write_text('{"scenario": {"requests": 2, "requests": 9000}}')
    outcome = run_cli(["predict", "--scenario", "s.json"], tmp)
    return expect_one_line(expect_code(outcome, 2), "s.json", "requests", "twice")


def scenario_with_a_bom(name: str, text: str) -> Callable[[Path], Outcome]:
    """Notepad writes a byte order mark; TOML forbids one and JSON readers may refuse it:
    refused in one line saying so (a file taken here would fail in the next tool)."""

    def case(tmp: Path) -> Outcome:
        (tmp / name).write_bytes(b"\xef\xbb\xbf" + text.encode())
        outcome = expect_code(run_cli(["predict", "--scenario", name], tmp), 2)
        return expect_one_line(outcome, name, "byte order mark", "without BOM")

    return case


def url_with_a_lone_surrogate(tmp: Path) -> Outcome:
    """Bytes that are not UTF-8 in ``--url`` (Python hands them over as lone surrogates)."""
    proc = subprocess.Popen(
        [
            sys.executable.encode(),
            b"-m",
            b"app.launcher",
            b"run",
            b"--url",
            b"http://127.0.0.1:9/\xff\xfe",
        ],
        cwd=tmp,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(timeout=60)
    outcome = Outcome(proc.returncode, err.decode(errors="replace"), out.decode(errors="replace"))
    if "Traceback" in outcome.stderr:
        outcome.problems.append("traceback")
    return expect_one_line(expect_code(outcome, 2), "url", "UTF-8")


# --- 16 servers that misbehave -------------------------------------------------------------


def upstream_never_answers(tmp: Path) -> Outcome:
    """The deadline shortened to 3 s for the row (the same code path as 40 s)."""
    environ = env(LANES_UPSTREAM_DEADLINE="3")
    with silent() as url:
        args = ["run", "--view", "sync_httpx", "--requests", "2", "--upstream-url", url]
        started = time.monotonic()
        outcome = run_cli(args, tmp, environ=environ)
        took = time.monotonic() - started
    expect_one_line(expect_code(outcome, 1), "no answer in 3 s")
    if took > 3 + 15:
        outcome.notes.append(f"it took {took:.0f} s to say so")
    return outcome


def url_with_huge_bodies(chunked: bool) -> Callable[[Path], Outcome]:
    """A site answering 60 MB bodies (with a Content-Length, or chunked) to ``--url``: each
    read to the cap and no further, the lane saying so; the run's outputs whole."""

    def check(tmp: Path) -> Outcome:
        serve = too_large_chunked if chunked else too_large
        with serve(60) as url:
            args = ["run", "--url", url + "/", "--requests", "2", "--json", "r.json"]
            outcome = expect_code(run_cli(args, tmp), 0, 1)
        expect_outputs(outcome, tmp, ["r.json"])
        if (tmp / "r.json").exists():
            lanes = json.loads((tmp / "r.json").read_text())["requests"]
            if not lanes or any("MB" not in (lane.get("error") or "") for lane in lanes):
                outcome.notes.append(f"the lanes do not say the body was cut: {lanes[:1]}")
        return outcome

    return check


def port_taken_before_bind(tmp: Path) -> Outcome:
    """The port picked for uvicorn is taken by someone else before uvicorn binds it."""
    from simulator.errors import LanesError
    from simulator.hosting import real_servers
    from simulator.hosting.engine import run_scenario
    from simulator.scenario import Scenario

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(1)
    taken = squatter.getsockname()[1]
    original = real_servers._free_port
    real_servers._free_port = lambda: taken  # type: ignore[assignment]
    try:
        run = run_scenario(Scenario(mode="uvicorn", requests=2, io_ms=1))
    except LanesError as exc:
        return expect_one_line(Outcome(1, f"async-lanes: error: {exc}"), str(taken))
    except Exception as exc:
        return Outcome(1, repr(exc), problems=["traceback"])
    finally:
        real_servers._free_port = original  # type: ignore[assignment]
        squatter.close()
    outcome = Outcome(0, "")
    if run.summary.ok != 2:
        outcome.notes.append(f"retried on another port, yet {run.summary.ok} of 2 answered")
    return outcome


# --- 17 the environment --------------------------------------------------------------------


def no_writable_temp_folder(tmp: Path) -> Outcome:
    """Every folder Python would take for temporary files read-only: TMPDIR, /tmp, /var/tmp
    and the working folder (read-only mounts in a mount namespace, so root is refused too);
    without namespaces, a TMPDIR that is a file and the rest left as they are is no test."""
    unshare = shutil.which("unshare")
    if not (unshare and os.geteuid() == 0 and LINUX):
        return Outcome(0, "", notes=["needs root and unshare to make every temp folder read-only"])
    # Each folder bound read-only onto itself: what is in it stays readable (a checkout under
    # /tmp, as `git clone . /tmp/fresh` makes, keeps its venv), nothing can be written.
    mounts = " && ".join(
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}"
        for folder in ("/tmp", "/var/tmp", "/usr/tmp")
        if os.path.isdir(folder)
    )
    inner = f"{mounts} && cd /proc && exec {sys.executable} -m app.launcher run --requests 1"
    done = subprocess.run(
        [unshare, "--mount", "--propagation", "private", "sh", "-c", inner],
        env=env(TMPDIR="/tmp"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    outcome = Outcome(done.returncode, done.stderr, done.stdout)
    if "Traceback" in done.stderr:
        outcome.problems.append("traceback")
    return expect_one_line(expect_code(outcome, 1), "temporary folder")


def without_home(command: list[str]) -> Callable[[Path], Outcome]:
    """No HOME, no XDG folders: one line at most, and nothing written outside the temp
    folder (the window's settings went to ``/.config``)."""

    def check(tmp: Path) -> Outcome:
        environ = env(
            HOME=None,
            XDG_CONFIG_HOME=None,
            XDG_DATA_HOME=None,
            XDG_CACHE_HOME=None,
            TMPDIR=str(tmp),
        )
        before = set(os.listdir("/"))
        outcome = expect_code(run_cli(command, tmp, environ=environ), 0)
        if set(os.listdir("/")) - before:
            lost(outcome, f"wrote outside the temp folder: {set(os.listdir('/')) - before}")
        return outcome

    return check


def lang_c(command: list[str]) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        environ = env(LANG="C", LC_ALL="C", LC_CTYPE=None)
        outcome = expect_code(run_cli(command, tmp, environ=environ), 0)
        # (The offscreen platform's own "does not support propagateSizeHints" is not ours.)
        noise = [line for line in outcome.stderr.splitlines() if "locale" in line.lower()]
        if noise:
            outcome.notes.append(f"stderr is not quiet: {noise[:3]}")
        return outcome

    return check


def escape_in_a_lesson_title(tmp: Path) -> Outcome:
    folder = tmp / "lessons"
    folder.mkdir()
    (folder / "01-esc.toml").write_text(lesson_text(title="Bell\\u0007 and \\u001b[31mred"))
    outcome = expect_code(
        run_cli([str(folder), "lessons"], tmp, module="tests.hostile.with_lessons"), 0
    )
    if "\x07" in outcome.stdout or "\x1b" in outcome.stdout:
        outcome.notes.append("ESC or BEL reached the terminal")
    if "Bell" not in outcome.stdout:
        outcome.notes.append("the lesson is not listed")
    return outcome


def huge_view_name(where: str) -> Callable[[Path], Outcome]:
    """A view name of 100 kB on the command line (about what one argument may hold), or of
    900 kB in a scenario file: the error quotes a few dozen characters of it."""

    def check(tmp: Path) -> Outcome:
        if where == "file":
            (tmp / "s.toml").write_text('[scenario]\nview = "' + "v" * 900_000 + '"\n')
            outcome = run_cli(["run", "--scenario", "s.toml"], tmp)
        else:
            outcome = run_cli(["run", "--view", "v" * 100_000], tmp)
        expect_one_line(expect_code(outcome, 2), "view")
        if len(outcome.stderr) > 600:
            outcome.notes.append(f"the error is {len(outcome.stderr)} characters long")
        return outcome

    return check


# --- 18 displays ---------------------------------------------------------------------------


def window_on(**changes: str | None) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        outcome = run_cli(["gui"], tmp, environ=env(**{"QT_QPA_PLATFORM": None, **changes}))
        return expect_one_line(expect_code(outcome, 2), "window")

    return check


def display_that_hangs_up(tmp: Path) -> Outcome:
    """A DISPLAY whose port accepts and at once closes every connection (a dead ssh -X)."""
    import threading

    listener = socket.socket()
    display = None
    for number in range(60, 99):
        try:
            listener.bind(("127.0.0.1", 6000 + number))
            display = number
            break
        except OSError:
            continue
    if display is None:
        return Outcome(0, "", notes=["no free X port to listen on"])
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def hang_up() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        return window_on(DISPLAY=f"127.0.0.1:{display}")(tmp)
    finally:
        stop.set()
        thread.join()
        listener.close()


ROWS: list[Row] = [
    Row(
        10,
        "SIGKILL during uvicorn ×2 start-up: nothing left, next run sweeps",
        sigkill_during_start_up("uvicorn", 2, 0.3),
        slow=True,
    ),
    Row(
        10,
        "SIGKILL mid-run of gunicorn ×4: nothing left, next run sweeps",
        sigkill_during_start_up("gunicorn", 4, 2.5),
        slow=True,
    ),
    Row(11, "localhost mapped elsewhere by a hosts file", localhost_mapped_elsewhere),
    Row(
        11,
        "a file's url on a name that moves off the machine after the check",
        url_name_that_moves_after_the_check,
    ),
    Row(
        11, "a scenario's upstream on a name that resolves nowhere", scenario_url_resolving_nowhere
    ),
    Row(12, "a lesson claim of value = inf", lesson_number("inf", "", "value", "finite")),
    Row(
        12,
        "a lesson guess_max of 1e308",
        lesson_number("0", "guess_max = 1e308", "guess_max", "finite"),
    ),
    Row(12, "Server-Timing dur=inf, nan and 1e308", server_timing_not_finite, slow=True),
    Row(12, "a dial of 1e999 in a JSON scenario", dial_not_finite),
    Row(13, "run --scenario on a FIFO", fifo_as(["run", "--scenario"], "s.toml")),
    Row(13, "predict --scenario on /dev/zero", endless_device),
    Row(13, "run --scenario on a folder named s.toml", folder_as_scenario),
    Row(
        13,
        "lessons with a FIFO among them",
        lessons_folder_with("02-fifo.toml", os.mkfifo, "lessons"),
    ),
    Row(
        13,
        "lesson 1 with a FIFO beside it",
        lessons_folder_with("02-fifo.toml", os.mkfifo, "lesson", "1"),
        slow=True,
    ),
    Row(
        13,
        "the window's start with a FIFO and a '٣-x.toml' lesson",
        window_start_with_a_fifo_and_a_strange_digit,
        slow=True,
    ),
    Row(
        13,
        "a lesson file named '²-x.toml'",
        lessons_folder_with("²-x.toml", lambda p: p.write_text(lesson_text()), "lessons"),
    ),
    Row(14, "a 250-character output name", long_output_name, slow=True),
    Row(14, "--json ''", output_refused("--json", "", "--json", "file name")),
    Row(14, "--png .png", output_refused("--png", ".png", "--png", "suffix")),
    Row(14, "--csv into a folder's name (out/)", output_refused("--csv", "out/", "--csv")),
    Row(14, "--json to a FIFO nobody reads", fifo_output_nobody_reads, slow=True),
    Row(15, "a JSON scenario naming a key twice", duplicate_json_keys),
    Row(
        15,
        "a TOML scenario with a byte order mark",
        scenario_with_a_bom("s.toml", "[scenario]\nrequests = 3\n"),
    ),
    Row(
        15,
        "a JSON scenario with a byte order mark",
        scenario_with_a_bom("s.json", '{"scenario": {"requests": 3}}'),
    ),
    Row(15, "--url with bytes that are not UTF-8", url_with_a_lone_surrogate),
    Row(16, "an upstream that never answers", upstream_never_answers, slow=True),
    Row(16, "uvicorn's port taken before it binds", port_taken_before_bind, slow=True),
    Row(16, "--url answering 60 MB bodies", url_with_huge_bodies(chunked=False), slow=True),
    Row(16, "--url answering 60 MB chunked bodies", url_with_huge_bodies(chunked=True), slow=True),
    Row(17, "run with no writable temporary folder", no_writable_temp_folder),
    Row(
        17, "run without HOME", without_home(["run", "--requests", "1", "--io-ms", "1"]), slow=True
    ),
    Row(17, "the window without HOME", without_home(["gui", "--run", "--quit"]), slow=True),
    Row(17, "the window under LANG=C", lang_c(["gui", "--run", "--quit"]), slow=True),
    Row(17, "a PNG under LANG=C", lang_c(["run", "--requests", "1", "--png", "r.png"]), slow=True),
    Row(17, "ESC and BEL in a lesson title", escape_in_a_lesson_title),
    Row(17, "a 100 kB --view name", huge_view_name("flag")),
    Row(17, "a 900 kB view name in a scenario file", huge_view_name("file")),
    Row(
        18,
        "the window on a Wayland-only session",
        window_on(DISPLAY=None, WAYLAND_DISPLAY="wayland-lanes-none"),
    ),
    Row(18, "the window with QT_QPA_PLATFORM=bogus", window_on(QT_QPA_PLATFORM="bogus")),
    Row(18, "the window on a DISPLAY that hangs up", display_that_hangs_up),
]

if not LINUX:  # /proc, FIFOs and namespaces
    ROWS = [row for row in ROWS if row.klass not in (10, 13)]
