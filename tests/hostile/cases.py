"""The hostile table: one row per case and class of issue 12, each a function of an empty
folder that runs the case and returns its :class:`~tests.hostile.harness.Outcome`.

Classes: 1 signals outside the run, 2 Stop within a second, 3 outputs that overwrite or
break, 4 displays that are not there, 5 the upstream URL, 6 files beyond the parser's limits,
7 text the output cannot carry, 8 ``gui --json``, 9 thread limits and long predictions.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.children import threads_at_least

from .harness import (
    SIGHUP,
    SIGINT,
    SIGTERM,
    Outcome,
    env,
    expect_code,
    expect_one_line,
    expect_outputs,
    lost,
    run_cli,
)
from .upstreams import too_large, trickling

OUTS = ["--json", "r.json", "--csv", "r.csv"]
OUT_NAMES = ["r.json", "r.csv"]


@dataclass(frozen=True)
class Row:
    klass: int
    case: str
    check: Callable[[Path], Outcome]
    #: Marks the row ``slow`` (the marker in pyproject.toml): it runs a scenario, a second or
    #: more; a row refused before any run (a tenth of a second) stays in ``make test-fast``.
    slow: bool = False


def _exists(path: Path) -> Callable[[int], bool]:
    return lambda pid: path.exists()


def _in_flight(requests: int, fallback_s: float = 2.5) -> Callable[[int], bool]:
    """Every request of a sync view's run under ASGI in flight: a thread each, beside the
    main thread and the site's loop (a start-up and its warm-up never hold that many); where
    the system does not say, ``fallback_s`` after it was first asked."""
    asked: list[float] = []

    def ready(pid: int) -> bool:
        found = threads_at_least(pid, requests + 2)
        if found is not None:
            return found
        asked.append(time.monotonic())
        return asked[-1] - asked[0] >= fallback_s

    return ready


# --- 1 signals outside the run -----------------------------------------------------------


def signal_during_run(sig: int, code: int) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        args = ["run", "--view", "sync_io", "--requests", "6", "--io-ms", "8000", *OUTS]
        outcome = run_cli(args, tmp, signals=[(_in_flight(6), sig)])
        return expect_outputs(expect_code(outcome, code), tmp, OUT_NAMES)

    return check


def second_ctrl_c(tmp: Path) -> Outcome:
    args = ["run", "--view", "sync_io", "--mode", "wsgi", "--requests", "4", "--io-ms", "8000"]
    outcome = run_cli([*args, *OUTS], tmp, signals=[(2.5, SIGINT), (0.05, SIGINT)])
    return expect_outputs(expect_code(outcome, 130), tmp, OUT_NAMES)


def ctrl_c_during_start_up(tmp: Path) -> Outcome:
    outcome = run_cli(["run", "--requests", "2", *OUTS], tmp, signals=[(0.4, SIGINT)])
    expect_code(outcome, 130)
    if "stopping" in outcome.stderr:
        # On a quick machine the run had begun by then: what it measured is written.
        return expect_outputs(outcome, tmp, OUT_NAMES)
    if "Traceback" not in outcome.stderr and "nothing" not in outcome.stderr:
        outcome.notes.append("no word that nothing was measured")
    return outcome


def signal_during_export(sig: int, code: int) -> Callable[[Path], Outcome]:
    """The signal arrives once the JSON is written, while the picture is being drawn."""

    def check(tmp: Path) -> Outcome:
        names = ["r.json", "r.csv", "r.trace.json", "r.png"]
        args = ["run", "--requests", "300", "--io-ms", "5", "--scale", "2"]
        files = ["--json", names[0], "--csv", names[1], "--trace", names[2], "--png", names[3]]
        signals = [(_exists(tmp / "r.trace.json"), sig)]
        outcome = run_cli([*args, *files], tmp, signals=signals, stop_bound=None)
        return expect_outputs(expect_code(outcome, code, 0), tmp, names)

    return check


def compare_stopped_during_b(tmp: Path) -> Outcome:
    args = ["compare", "--a", "requests=2 io_ms=50", "--b", "view=sync_io requests=3 io_ms=8000"]
    outcome = run_cli([*args, "--json", "r.json"], tmp, signals=[(4.0, SIGINT)])
    expect_outputs(expect_code(outcome, 130), tmp, ["r.json"])
    if (tmp / "r.json").exists():
        data = json.loads((tmp / "r.json").read_text())
        if not (data.get("a") or {}).get("requests") or not (data.get("b") or {}).get("stopped"):
            lost(outcome, "A, or B marked stopped, missing from the JSON")
    return outcome


def stale_scratch_swept(tmp: Path) -> Outcome:
    stale = Path(tempfile.gettempdir()) / "async-lanes-db-999999999-hostile"
    stale.mkdir(exist_ok=True)
    outcome = expect_code(run_cli(["run", "--requests", "1", "--io-ms", "1"], tmp), 0)
    if stale.exists():
        outcome.notes.append("a stale scratch folder (its process gone) was not swept")
    return outcome


# --- 2 Stop within a second ----------------------------------------------------------------


def stop_while(
    args: list[str], after: float | Callable[[int], bool] = 2.5
) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        outcome = run_cli(["run", *args, *OUTS], tmp, signals=[(after, SIGINT)])
        return expect_outputs(expect_code(outcome, 130), tmp, OUT_NAMES)

    return check


def stop_in_warm_up_with_trickling_upstream(tmp: Path) -> Outcome:
    with trickling() as url:
        args = ["--view", "sync_httpx", "--requests", "2", "--upstream-url", url]
        return stop_while(args, after=3.0)(tmp)


# --- 3 outputs -----------------------------------------------------------------------------


def output_over_input(tmp: Path) -> Outcome:
    lesson = tmp / "lesson.json"
    original = '{"scenario": {"requests": 2}}\n'
    lesson.write_text(original)
    outcome = run_cli(["run", "--scenario", "lesson.json", "--json", "lesson.json"], tmp)
    expect_one_line(expect_code(outcome, 2), "overwrite", "lesson.json")
    if lesson.read_text() != original:
        lost(outcome, "the teacher's lesson file was replaced")
    return outcome


def two_outputs_one_file(tmp: Path) -> Outcome:
    outcome = run_cli(["run", "--json", "x", "--csv", "./x"], tmp)
    return expect_one_line(expect_code(outcome, 2), "--json", "--csv")


def output_on_a_full_disk(tmp: Path) -> Outcome:
    """``/dev/full`` through a link: a write that fails for want of space. (Through a link
    in our folder: were the device replaced by a renamed file, the link would be, not it.)"""
    full = tmp / "full.json"
    full.symlink_to("/dev/full")
    outcome = run_cli(["run", "--requests", "1", "--json", "full.json"], tmp)
    expect_one_line(expect_code(outcome, 1), "full.json", "space")
    if not full.is_symlink() or not Path("/dev/full").is_char_device():
        lost(outcome, "the device, or the link to it, was replaced by a file")
    return outcome


def two_instances_one_csv(tmp: Path) -> Outcome:
    from .harness import launch

    args = ["run", "--requests", "200", "--io-ms", "5", "--csv", "r.csv"]
    procs = [launch(args, tmp) for _ in range(2)]
    results = [proc.communicate(timeout=60) for proc in procs]
    outcome = Outcome(max(p.returncode for p in procs), "".join(err for _, err in results))
    if "Traceback" in outcome.stderr:
        outcome.problems.append("traceback")
    expect_code(outcome, 0)
    expect_outputs(outcome, tmp, ["r.csv"])
    rows = (tmp / "r.csv").read_text().splitlines() if (tmp / "r.csv").exists() else []
    if rows and len({row.split(",")[0] for row in rows[1:]}) < 1:
        lost(outcome, "the CSV is empty")
    return outcome


# --- 4 displays ----------------------------------------------------------------------------


def picture_with_a_dead_display(tmp: Path) -> Outcome:
    environ = env(DISPLAY=":987", QT_QPA_PLATFORM=None)
    outcome = run_cli(
        ["run", "--requests", "2", "--io-ms", "1", "--png", "r.png"], tmp, environ=environ
    )
    return expect_outputs(expect_code(outcome, 0), tmp, ["r.png"])


def window_with(display: str | None) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        environ = env(DISPLAY=display, QT_QPA_PLATFORM=None)
        outcome = run_cli(["gui"], tmp, environ=environ)
        return expect_one_line(expect_code(outcome, 2), "display")

    return check


# --- 5 the upstream URL --------------------------------------------------------------------


def upstream_refused(url: str, *words: str) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        outcome = run_cli(["run", "--view", "async_httpx", "--upstream-url", url], tmp)
        expect_one_line(expect_code(outcome, 2), *words)
        if "s3cret" in outcome.stderr + outcome.stdout:
            lost(outcome, "the password was echoed")
        return outcome

    return check


def file_with_a_strangers_upstream(tmp: Path) -> Outcome:
    lesson = tmp / "lesson.toml"
    lesson.write_text('[scenario]\nview = "async_httpx"\nupstream_url = "http://203.0.113.7/"\n')
    outcome = run_cli(["run", "--scenario", "lesson.toml"], tmp)
    return expect_one_line(expect_code(outcome, 2), "203.0.113.7", "--allow-host")


def upstream_body_over_the_cap(tmp: Path) -> Outcome:
    with too_large() as url:
        args = ["run", "--view", "async_httpx", "--requests", "2", "--upstream-url", url]
        outcome = expect_code(run_cli([*args, "--json", "r.json"], tmp), 0)
    expect_outputs(outcome, tmp, ["r.json"])
    if (tmp / "r.json").exists():
        lanes = json.loads((tmp / "r.json").read_text())["requests"]
        if not lanes or any("more than" not in (lane.get("error") or "") for lane in lanes):
            outcome.notes.append("the oversized answers were not failed for their size")
    return outcome


# --- 6 files beyond the parser's limits ----------------------------------------------------

DEEP_JSON = "[" * 50_000 + "]" * 50_000
HUGE_TOML = "[scenario]\nrequests = " + "9" * 5000 + "\n"


def bad_file(command: list[str], name: str, text: str) -> Callable[[Path], Outcome]:
    def check(tmp: Path) -> Outcome:
        (tmp / name).write_text(text)
        outcome = run_cli([*command, name], tmp)
        return expect_one_line(expect_code(outcome, 2), name)

    return check


# --- 7 text the output cannot carry --------------------------------------------------------


def ascii_stdout(tmp: Path) -> Outcome:
    environ = env(PYTHONIOENCODING="ascii:strict", LANG="C", LC_ALL="C")
    outcome = run_cli(["run", "--requests", "2", "--io-ms", "1", *OUTS], tmp, environ=environ)
    return expect_outputs(expect_code(outcome, 0), tmp, OUT_NAMES)


def control_character_title(tmp: Path) -> Outcome:
    args = ["run", "--requests", "2", "--io-ms", "1", "--title", "bell\x07 and tab\t"]
    outcome = run_cli([*args, "--svg", "r.svg", "--pdf", "r.pdf"], tmp)
    expect_outputs(expect_code(outcome, 0), tmp, ["r.svg", "r.pdf"])
    if (tmp / "r.svg").exists():
        import xml.etree.ElementTree as ET

        try:
            ET.parse(tmp / "r.svg")
        except ET.ParseError as exc:
            lost(outcome, f"the SVG is not XML: {exc}")
    return outcome


# --- 8 gui --json --------------------------------------------------------------------------


def gui_json_writes_every_run(tmp: Path) -> Outcome:
    lesson = tmp / "ab.toml"
    lesson.write_text("[a]\nrequests = 2\nio_ms = 20\n[b]\nrequests = 3\nio_ms = 20\n")
    args = ["gui", "--lesson", "ab.toml", "--run", "--json", "r.json", "--quit"]
    outcome = expect_code(run_cli(args, tmp), 0)
    expect_outputs(outcome, tmp, ["r.json"])
    if (tmp / "r.json").exists():
        data = json.loads((tmp / "r.json").read_text())
        if not (data.get("a") and data.get("b") and data.get("verdict")):
            lost(outcome, f"gui --json kept {sorted(data)}, not a, b and the verdict")
    return outcome


def gui_json_checked_first(tmp: Path) -> Outcome:
    args = ["gui", "--run", "--json", "no/such/folder/r.json", "--quit"]
    outcome = run_cli(args, tmp)
    return expect_one_line(expect_code(outcome, 1), "no such directory")


# --- 9 thread limits and long predictions (in this process) --------------------------------


def wsgi_thread_limit(tmp: Path) -> Outcome:
    """256 workers where the system allows 20 threads more: one clear error, none left."""
    from simulator.errors import LanesError
    from simulator.hosting.engine import run_scenario
    from simulator.scenario import Scenario

    original = threading.Thread.start
    allowed = [20]

    def start(self: threading.Thread) -> None:
        if self.name.startswith("wsgi-worker"):
            if allowed[0] == 0:
                raise RuntimeError("can't start new thread")
            allowed[0] -= 1
        original(self)

    threading.Thread.start = start  # type: ignore[method-assign]
    try:
        run_scenario(Scenario(view="sync_io", mode="wsgi", workers=256, requests=2, io_ms=1))
    except LanesError as exc:
        outcome = Outcome(2, f"async-lanes: error: {exc}")
        return expect_one_line(outcome, "256", "fewer --workers")
    except Exception as exc:  # what the issue found: a traceback
        return Outcome(1, repr(exc), problems=["traceback"])
    finally:
        threading.Thread.start = original  # type: ignore[method-assign]
    return Outcome(0, "", notes=["256 workers started where 20 were allowed"])


def prediction_off_the_loop(tmp: Path) -> Outcome:
    """A prediction that takes a second leaves the loop free; it arrives afterwards."""
    import asyncio

    from app.session import Session
    from simulator.hosting.engine import LiveRun
    from simulator.prediction.model import predict
    from simulator.scenario import Scenario

    def slow_predict(scenario: Scenario):
        time.sleep(1.0)
        return predict(scenario.replace(requests=4))

    session = Session(runner=LiveRun, predictor=slow_predict)
    session.set_scenario("a", Scenario(requests=10_000))

    async def watch() -> tuple[float, object]:
        lags = []
        session.predict("a")
        for _ in range(60):
            before = time.perf_counter()
            await asyncio.sleep(0.02)
            lags.append(time.perf_counter() - before)
            if session.prediction is not None:
                break
        return max(lags), session.prediction

    worst, prediction = asyncio.run(watch())
    outcome = Outcome(0, "")
    if worst > 0.5:
        outcome.problems.append("hang")
        outcome.notes.append(f"the loop waited {worst:.2f} s")
    if prediction is None:
        outcome.notes.append("the prediction never arrived")
    return outcome


ROWS: list[Row] = [
    Row(
        1,
        "Ctrl+C during a run writes what was measured, exit 130",
        signal_during_run(SIGINT, 130),
        slow=True,
    ),
    Row(
        1,
        "SIGTERM during a run (a CI timeout), exit 143",
        signal_during_run(SIGTERM, 143),
        slow=True,
    ),
    Row(
        1,
        "SIGHUP during a run (a closed terminal), exit 129",
        signal_during_run(SIGHUP, 129),
        slow=True,
    ),
    Row(1, "a second Ctrl+C saves at once", second_ctrl_c, slow=True),
    Row(1, "Ctrl+C during start-up: one line, exit 130", ctrl_c_during_start_up),
    Row(
        1,
        "Ctrl+C during the export finishes every file",
        signal_during_export(SIGINT, 130),
        slow=True,
    ),
    Row(
        1,
        "SIGTERM during the export finishes every file",
        signal_during_export(SIGTERM, 143),
        slow=True,
    ),
    Row(1, "compare stopped during B keeps A", compare_stopped_during_b, slow=True),
    Row(1, "a stale scratch folder is swept at start", stale_scratch_swept, slow=True),
    Row(
        2,
        "Stop while waiting to send (arrival 10 s)",
        stop_while(["--requests", "3", "--io-ms", "1", "--arrival-ms", "10000"]),
        slow=True,
    ),
    Row(
        2,
        "Stop during the warm-up (a trickling upstream)",
        stop_in_warm_up_with_trickling_upstream,
        slow=True,
    ),
    Row(
        2,
        "Stop with 5 s of CPU queued (WSGI, 1 worker)",
        stop_while(
            [
                "--view",
                "sync_io",
                "--mode",
                "wsgi",
                "--requests",
                "3",
                "--io-ms",
                "0",
                "--cpu-ms",
                "5000",
            ]
        ),
        slow=True,
    ),
    Row(
        2,
        "Stop with async CPU running on the loop",
        stop_while(["--requests", "3", "--io-ms", "0", "--cpu-ms", "5000"]),
        slow=True,
    ),
    Row(
        2,
        "Stop with views in time.sleep (ASGI threads)",
        stop_while(["--view", "sync_io", "--requests", "4", "--io-ms", "9000"], _in_flight(4)),
        slow=True,
    ),
    Row(3, "--json over the --scenario input", output_over_input),
    Row(3, "--json and --csv on one file", two_outputs_one_file),
    Row(3, "--json on a full disk (/dev/full)", output_on_a_full_disk, slow=True),
    Row(3, "two instances writing one CSV", two_instances_one_csv, slow=True),
    Row(4, "a PNG with DISPLAY set to nothing", picture_with_a_dead_display, slow=True),
    Row(4, "the window with DISPLAY set to nothing", window_with(":987")),
    Row(4, "the window with no DISPLAY at all", window_with(None)),
    Row(
        5,
        "an upstream on a stranger's host",
        upstream_refused("http://example.com/", "example.com", "--allow-host"),
    ),
    Row(
        5,
        "an upstream URL with a password",
        upstream_refused("http://me:s3cret@127.0.0.1:9/", "password"),
    ),
    Row(
        5,
        "an upstream URL that can never work",
        upstream_refused("http://127.0.0.1:99999/", "port"),
    ),
    Row(5, "a scenario file's stranger upstream", file_with_a_strangers_upstream),
    Row(5, "an upstream answer over the size cap", upstream_body_over_the_cap, slow=True),
    Row(6, "run: JSON nested 50 000 deep", bad_file(["run", "--scenario"], "deep.json", DEEP_JSON)),
    Row(
        6,
        "compare: JSON nested 50 000 deep",
        bad_file(["compare", "--scenario"], "deep.json", DEEP_JSON),
    ),
    Row(
        6,
        "predict: an integer of 5000 digits",
        bad_file(["predict", "--scenario"], "huge.toml", HUGE_TOML),
    ),
    Row(
        6,
        "gui --lesson: an integer of 5000 digits",
        bad_file(["gui", "--lesson"], "huge.toml", HUGE_TOML),
        slow=True,
    ),
    Row(7, "stdout that is ASCII only", ascii_stdout, slow=True),
    Row(7, "a control character in the title (SVG, PDF)", control_character_title, slow=True),
    Row(8, "gui --json writes A, B and the verdict", gui_json_writes_every_run, slow=True),
    Row(8, "gui --json checks its path before the run", gui_json_checked_first),
    Row(9, "WSGI with 256 workers under a thread limit", wsgi_thread_limit),
    Row(9, "a long prediction leaves the loop free", prediction_off_the_loop, slow=True),
]

if os.name != "posix":  # the signal rows need POSIX signals
    ROWS = [row for row in ROWS if row.klass != 1]
