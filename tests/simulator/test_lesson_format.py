"""The lesson format: a scenario file plus [lesson] and [[claim]]; claims are data."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError, shown_path
from simulator.files.scenario_file import load_scenario_file
from simulator.lessons import check_claim, find_lesson, lesson_entries, load_lesson
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "assets" / "lessons"

GOOD = """
title = "How long?"
by = "worker"

[lesson]
explanation = "One worker."
question = "How long will 8 requests take?"
choices = ["0.2 s", "1.6 s"]
answer = "1.6 s"
why = "One at a time."
look_at = "The worker lane."
figure = "makespan_ms"
expect = "B"
follow_up = "Set workers to 8."
needs = {cores = 1}

[a]
view = "sync_io"
mode = "wsgi"

[b]
view = "async_io"

[[claim]]
says = "B is much sooner"
figure = "makespan_ms"
side = "B"
op = "<"
times = 0.3
of = "A"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "07-lesson.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lesson_file_is_still_a_scenario_file(tmp_path):
    path = write(tmp_path, GOOD)
    file = load_scenario_file(path)
    assert file.a.mode == "wsgi" and file.b is not None and file.by == "worker"
    lesson = load_lesson(path)
    assert lesson.number == 7 and lesson.answer_index == 1 and lesson.title == "How long?"
    (claim,) = lesson.claims
    assert (claim.side, claim.op, claim.times, claim.of) == ("B", "<", 0.3, "A")


def _summary(makespan: float) -> Summary:
    return Summary(
        8,
        8,
        0,
        0,
        8,
        makespan,
        0.0,
        dict.fromkeys(("p50", "p95", "p99", "max"), 1.0),
        8,
        1,
        0.0,
        0.0,
    )


def test_claims_compare_measured_figures(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    (claim,) = lesson.claims

    def runs(a: float, b: float) -> dict[str, list[Run]]:
        empty = Trace(t0_ns=0, lanes=())
        return {
            "A": [Run(Scenario(), empty, _summary(a))],
            "B": [Run(Scenario(), empty, _summary(b))],
        }

    held = check_claim(claim, runs(1600, 210))
    assert held.held and "B makespan 210 ms" in held.measured and "A 1.60 s" in held.measured
    assert not check_claim(claim, runs(1600, 900)).held


BROKEN = [
    ("no-lesson-table", GOOD.replace("[lesson]", "[lessons]"), "unknown table or key 'lessons'"),
    (
        "unknown-figure",
        GOOD.replace('figure = "makespan_ms"\nside', 'figure = "speed"\nside'),
        "claim 1.figure must name a figure",
    ),
    (
        "code-as-op",
        GOOD.replace('op = "<"', "op = \"__import__('os')\""),
        "claim 1.op must be one of",
    ),
    (
        "answer-not-a-choice",
        GOOD.replace('answer = "1.6 s"', 'answer = "2 s"'),
        "lesson.answer '2 s' is not one of lesson.choices",
    ),
    ("side-c", GOOD.replace('side = "B"', 'side = "C"'), "claim 1.side must be 'A' or 'B'"),
    ("no-claims", GOOD.split("[[claim]]")[0], "needs at least one [[claim]]"),
    (
        "value-and-times",
        GOOD.replace("times = 0.3", "times = 0.3\nvalue = 3"),
        "needs either value = N or times = X",
    ),
    *(
        (
            f"cores-{value}",
            GOOD.replace("{cores = 1}", f"{{cores = {value}}}"),
            f"lesson.needs.cores must be a whole number from 1 to 256, not {value}",
        )
        for value in ("inf", "2.5", "0", "257")
    ),
    (
        "cores-nan",
        GOOD.replace("{cores = 1}", "{cores = nan}"),
        "lesson.needs.cores must be a number",
    ),
    (
        "cores-text",
        GOOD.replace("{cores = 1}", '{cores = "2"}'),
        "lesson.needs.cores must be a number",
    ),
    (
        "expect-missing",
        GOOD.replace('expect = "B"\n', ""),
        "lesson.expect is missing: say which side the answer expects ahead on makespan_ms",
    ),
    *(
        (
            f"expect-{name}",
            GOOD.replace('expect = "B"', f"expect = {value}"),
            f'lesson.expect must be "same", "A", "B", "A or same" or "B or same", not {value}',
        )
        for name, value in (
            ("lowercase", "'b'"),
            ("number", "1"),
            ("winner", "'C'"),
            ("or", "'A or B'"),
        )
    ),
    (
        "same-within-without-same",
        GOOD.replace('expect = "B"', 'expect = "B"\nsame_within = 0.2'),
        'lesson.same_within goes with expect = "same", "A or same" or "B or same"',
    ),
    (
        "same-within-zero",
        GOOD.replace('expect = "B"', 'expect = "same"\nsame_within = 0'),
        "lesson.same_within must be a fraction above 0 (0.15: 15% apart), not 0",
    ),
    (
        "same-within-text",
        GOOD.replace('expect = "B"', 'expect = "same"\nsame_within = "10%"'),
        "lesson.same_within must be a number",
    ),
    (
        "expect-on-one-scenario",
        GOOD.replace('[b]\nview = "async_io"\n', "")
        .replace('side = "B"', 'side = "A"')
        .replace('times = 0.3\nof = "A"', "value = 3"),
        "lesson.expect needs two sides ([a] and [b]); this lesson has one",
    ),
    (
        "needs-servers",
        GOOD.replace("{cores = 1}", '{servers = ["uvicorn"]}'),
        "unknown key lesson.needs.servers",
    ),
]


@pytest.mark.parametrize(("text", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_lesson_says_which_file_and_what(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_lesson(path)
    message = str(caught.value)
    assert message.startswith(shown_path(path) + ": ") and words in message and "\n" not in message
    # The path is quoted once, by the one rule (ScenarioError.in_file), and what is wrong is
    # kept apart for the Lessons menu, which names the file already.
    assert caught.value.wrong == message.removeprefix(shown_path(path) + ": ")
    (entry,) = lesson_entries(path.parent)
    assert (entry.problem, entry.wrong) == (message, caught.value.wrong)
    with pytest.raises(ScenarioError) as again:  # (asked for by number: the same message)
        find_lesson(path.parent, 7)
    assert (str(again.value), again.value.wrong) == (message, caught.value.wrong)


def test_expect_is_read_as_data_with_its_tolerance(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    assert (lesson.expect, lesson.criterion.expect, lesson.criterion.figure) == (
        "B",
        "B",
        "makespan_ms",
    )
    same = GOOD.replace('expect = "B"', 'expect = "same"\nsame_within = 0.3')
    criterion = load_lesson(write(tmp_path, same)).criterion
    assert (criterion.expect, criterion.same_within) == ("same", 0.3)
    default = GOOD.replace('expect = "B"', 'expect = "same"')
    assert load_lesson(write(tmp_path, default)).criterion.same_within == 0.15


def test_every_comparison_lesson_says_what_its_answer_expects():
    """Lessons whose answer is "about the same" expect the same: their verdict cannot name
    a winner (the teacher's review found 16, 17 and 24 naming one in every run)."""
    expects = {}
    for entry in lesson_entries(LESSONS):
        lesson = entry.lesson
        assert lesson is not None
        assert (lesson.expect is not None) == lesson.is_comparison, entry.path.name
        expects[entry.number] = lesson.expect
    assert {n: expects[n] for n in (8, 16, 17, 24)} == dict.fromkeys((8, 16, 17, 24), "same")
    assert expects[15] == "A or same"  # "No: about the same, or even later"
    assert expects[7] == expects[10] == "B" and expects[6] == "A"


def test_a_lesson_that_expects_the_same_names_no_side_slower_in_its_why():
    """Its runs go either way: lesson 24's reveal said uvicorn comes out a few percent slower
    beside "A measured 260 ms · B measured 222 ms"."""
    for entry in lesson_entries(LESSONS):
        lesson = entry.lesson
        assert lesson is not None
        if lesson.expect == "same":
            words = set(lesson.why.lower().replace(",", " ").replace(";", " ").split())
            assert not words & {"slower", "faster", "sooner", "later"}, entry.path.name


def test_lesson_4_compares_the_guess_with_the_last_answer_it_asks_about():
    lesson = find_lesson(LESSONS, 4)
    assert "last answer" in lesson.question and lesson.figure == "makespan_ms"
    assert any(claim.figure == "loop_blocked_ms" for claim in lesson.claims)  # still a claim


def test_the_curriculum_has_16_or_more_lessons_all_readable_and_asking():
    entries = lesson_entries(LESSONS)
    assert len(entries) >= 16
    assert [e.problem for e in entries if e.lesson is None] == []
    numbers = [e.number for e in entries]
    assert numbers == sorted(set(numbers))
    for entry in entries:
        lesson = entry.lesson
        assert lesson is not None and lesson.claims
        assert lesson.title.rstrip().endswith("?"), f"{entry.path.name}: the title gives the answer"
        assert lesson.answer not in lesson.title


def test_a_broken_lesson_shows_as_broken_in_the_catalog_and_find_names_the_numbers(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "08-broken.toml").write_text("title = 'x'\n[scenario]\n", encoding="utf-8")
    entries = lesson_entries(tmp_path)
    assert [e.lesson is None for e in entries] == [False, True]
    assert "no [lesson] table" in (entries[1].problem or "")
    with pytest.raises(ScenarioError, match="no lesson 99; the lessons are numbered 7–8"):
        find_lesson(tmp_path, 99)


def test_a_lesson_needs_the_servers_its_sides_run_on_and_says_how_to_get_them(
    tmp_path, monkeypatch
):
    import importlib.util

    text = GOOD.replace('mode = "wsgi"', 'mode = "uvicorn"')
    text = text.replace('view = "async_io"', 'view = "async_io"\nmode = "gunicorn"')
    lesson = load_lesson(write(tmp_path, text))
    assert lesson.needs.servers == ("gunicorn", "uvicorn")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert lesson.needs.unmet() == "needs gunicorn: pip install 'django-async-lanes[servers]'"


def test_cores_that_are_there_but_busy_are_named_with_the_speedup_measured(monkeypatch):
    from simulator.lessons import format as lesson_format

    needs = lesson_format.Needs(cores=2)
    monkeypatch.setattr(lesson_format, "usable_cores", lambda: 2)
    monkeypatch.setattr(lesson_format, "parallel_speedup", lambda n: 1.05)
    assert needs.unmet() is None
    assert needs.unmet_now() == (
        "needs 2 free cores: 2 processes got only 1.05× the work of one done "
        "(another program, a CPU quota or hyper-threads share them)"
    )
    monkeypatch.setattr(lesson_format, "parallel_speedup", lambda n: 1.9)
    assert needs.unmet_now() is None
    monkeypatch.setattr(lesson_format, "usable_cores", lambda: 1)
    assert needs.unmet() == "needs 2 cores, this process may use 1"
