"""The reveal's one-line strip, cut to fit, ends on a whole word: lesson 24's read "Answer:
About the same: bo…" at 1280×720 and at 1920×1080."""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QFont, QFontMetrics

from app.widgets.lesson_panel import QtElidedLabel, _without_measured, _without_ranges
from simulator.metrics.verdict import verdict_from_summaries
from tests.simulator.test_comparison import many

VERDICT = "Verdict: about the same makespan: A 229 ms, B 213 ms, within 8%; 3 runs each"
ANSWER = "Answer: About the same: both overlap the 10 waits (a little over 0.2 s)"


def _plain(label: QtElidedLabel) -> str:
    """The strip's line as on screen, as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


def _shown(label: QtElidedLabel) -> str:
    """The strip's words after its bold lead, as on screen."""
    return _plain(label).split("  ·  ", 1)[1]


def _px(font: QFont, lead: str, rest: str = "") -> int:
    """How wide the strip draws ``lead`` in bold (its verdict) then ``rest`` in ``font``."""
    bold = QFont(font)
    bold.setBold(True)
    return QFontMetrics(bold).horizontalAdvance(lead) + QFontMetrics(font).horizontalAdvance(rest)


def _strip(qtbot, pixel_size: int, *texts: str) -> tuple[QtElidedLabel, QFont]:
    """The reveal's one-line strip at a text size (at 720p 16 px × 1.25, at 1080p 24 × 1.25),
    shown with the answer (and the verdict), and its font."""
    label = QtElidedLabel()
    qtbot.addWidget(label)
    font = QFont()
    font.setPixelSize(pixel_size)
    label.setFont(font)
    label.set_full_text(*texts)
    label.show()
    return label, font


def test_a_cut_strip_ends_on_a_whole_word(qtbot):
    label, _ = _strip(qtbot, 16, ANSWER, VERDICT)
    cut = 0
    for width in range(700, 1400, 7):
        label.resize(width, 30)
        shown = _shown(label)
        if shown in (ANSWER, ""):  # whole, or no room for even "…" after the verdict
            continue
        cut += 1
        assert shown.endswith("…"), shown
        words = shown[:-1]
        assert ANSWER.startswith(words), shown
        if words:
            assert ANSWER[len(words)] in " ,;:", (width, shown)  # a whole word kept
            assert words[-1] not in " ,;:", (width, shown)
        assert label.fontMetrics().horizontalAdvance(shown) <= width
    assert cut > 10  # the widths above cut it


def test_the_verdict_gives_up_its_ranges_before_the_answer_is_gone(qtbot):
    """Lesson 17 at 1280×720: the verdict with its runs' ranges took the whole line and the
    answer read "…"; without the ranges the answer fits, the measured figures stay."""
    verdict = (
        "Verdict: about the same p50: A 201 ms (201–203 ms), B 217 ms (211–227 ms), within 8%;"
        " 3 runs each"
    )
    label, font = _strip(qtbot, 20, "Answer: About the same", verdict)
    whole = _px(font, verdict + "  ·  ")
    label.resize(round(whole + 40), 30)  # the verdict fits, the answer would not
    plain = _plain(label)
    assert plain.endswith("Answer: About the same"), plain
    assert "A 201 ms, B 217 ms, within 8%" in plain
    measured = "Verdict: B finished 5.1× sooner (A 3.25 s, B 638 ms)"
    assert _without_ranges(measured) == measured  # what was measured is no range: it stays


def test_the_verdict_gives_up_its_run_count_before_the_answer_loses_its_word(qtbot):
    """Lesson 15 at 1280×720: "Verdict: no winner in makespan: ranges overlap (A 478 ms, B
    446 ms; 3 runs each)  ·  Answer: No: about the…", without the word that is the answer.
    The run count goes first; what each side measured stays while giving it up would not
    make the answer whole."""
    verdict = "Verdict: no winner in makespan: ranges overlap (A 478 ms, B 446 ms; 3 runs each)"
    answer = "Not the guess. Answer: No: the last answer comes about as late, or later"
    label, font = _strip(qtbot, 20, answer, verdict)
    shorter = "Verdict: no winner in makespan: ranges overlap (A 478 ms, B 446 ms)  ·  "
    room = _px(font, shorter, "Not the guess. Answer: No…")
    bare = "Verdict: no winner in makespan: ranges overlap  ·  "
    assert _px(font, bare, answer) > room + 4  # (without the figures, no whole answer either)
    label.resize(round(room + 4), 30)  # the answer's gist fits beside the shorter verdict
    plain = _plain(label)
    assert plain == f"{shorter}Not the guess. Answer: No…", plain
    label.resize(4000, 30)  # room for all: nothing is given up
    assert _plain(label) == f"{verdict}  ·  {answer}"


def test_what_each_side_measured_stays_beside_an_answer_already_whole(qtbot):
    """Lesson 9: the answer fits whole beside the verdict, the class's wrong guess after it
    does not: the figures stay, the guess's words are cut (giving them up showed the guess)."""
    verdict = "Verdict: A: fewer threads held (A 0, B 30)"
    answer = f"Not the guess. Answer: {_lesson(9).answer}"
    said = f" (the class said: {_lesson(9).choices[0]})"
    label, font = _strip(qtbot, 20, answer + said, verdict)
    room = _px(font, f"{verdict}  ·  ", answer + "…")
    label.resize(round(room + 4), 30)
    plain = _plain(label)
    assert plain.startswith(f"{verdict}  ·  {answer}"), plain


def test_only_what_each_side_measured_is_given_up():
    # A verdict with unequal request counts: "A sent 8 requests, B 10" is no pair of figures
    # to give up (a first pattern ran over "; " and left "Verdict: on a busy machine").
    for verdict, shorter in (
        (
            "Verdict: A: framework 1.8× lower (A 1.62 ms, B 2.87 ms)",
            "Verdict: A: framework 1.8× lower",
        ),
        (
            "Verdict: about the same p50: A 201 ms, B 202 ms, within 1%",
            "Verdict: about the same p50: within 1%",
        ),
        ("Verdict: the same threads held: A 8, B 8", "Verdict: the same threads held: A 8, B 8"),
        (
            "Verdict: A finished 2.0× sooner (A 1.00 s, B 2.00 s); A sent 8 requests, B 10",
            "Verdict: A finished 2.0× sooner; A sent 8 requests, B 10",
        ),
        (
            "Verdict: about the same makespan: A 1 s; A sent 8 requests, B 10, within 2%",
            "Verdict: about the same makespan: A 1 s; A sent 8 requests, B 10, within 2%",
        ),
    ):
        assert _without_measured(verdict) == shorter, verdict


def test_what_each_side_measured_gives_way_where_that_shows_more_of_the_answer(qtbot):
    """Lesson 18 at 1280×720 read "Verdict: A: framework 1.8× lower (A 1.62 ms, B 2.87 ms)
    ·  Not the guess. Answer: More…": the reason the class voted on cut, beside figures the
    line under the strip writes too. Where dropping them shows more of the answer (the
    class's guess after it may go), they go; where it does not, they stay."""
    verdict = "Verdict: A: framework 1.8× lower (A 1.62 ms, B 2.87 ms)"
    answer = "Not the guess. Answer: More: all seven cost thread hand-offs"
    said = " (the class said: The same: Django's own middleware is async)"
    label, font = _strip(qtbot, 20, answer + said, verdict)
    short = "Verdict: A: framework 1.8× lower  ·  "
    whole = _px(font, short, answer + "…")
    label.resize(round(whole + 8), 30)  # the answer whole, the class's guess cut
    plain = _plain(label)
    assert plain == f"Verdict: A: framework 1.8× lower  ·  {answer}", plain
    label.resize(round(whole - 40), 30)  # not even so: the figures stay, the answer's gist
    plain = _plain(label)
    assert "(A 1.62 ms, B 2.87 ms)" in plain and "Answer: More" in plain, plain


def test_a_close_call_s_verdict_keeps_its_words_and_gives_up_its_figures_to_the_answer(qtbot):
    """Lesson 24 at 1280×720 read "Verdict: about the same makespan: A 213 ms, B 216 ms…  ·
    The class was right. Answer: About the same…": the verdict cut mid-list, the answer
    without its "just over 0.2 s"."""
    verdict = (
        "Verdict: about the same makespan: A 213 ms (208–227 ms), B 216 ms (212–221 ms),"
        " within 2%; 3 runs each"
    )
    answer = "The class was right. Answer: About the same: just over 0.2 s"
    label, font = _strip(qtbot, 20, answer, verdict)
    short = "Verdict: about the same makespan: within 2%  ·  "
    room = _px(font, short, answer)
    label.resize(round(room + 8), 30)
    plain = _plain(label)
    assert plain == f"{short}{answer}", plain


def test_a_cut_answer_keeps_its_gist_not_the_first_words_of_its_reason(qtbot):
    """Lesson 24 at 1280×720 read "Answer: About the same: both overlap the…": the answer,
    then half a reason. Cut, it ends where a clause does: "Answer: About the same…"."""
    label, _ = _strip(qtbot, 20, ANSWER)
    metrics = label.fontMetrics()
    label.resize(metrics.horizontalAdvance("Answer: About the same: both overlap the 10…") + 8, 30)
    plain = _plain(label)
    assert plain == "Answer: About the same…", plain
    label.resize(metrics.horizontalAdvance(ANSWER) + 40, 30)
    assert _plain(label) == ANSWER


def test_a_verdict_too_long_for_the_strip_gives_way_at_a_word_to_the_answer_s_gist(qtbot):
    """Lesson 23's "could not show it" line with its speed-up ran past the strip's edge at
    1080p, cut mid-word ("…of one d"), and "Answer: A: 2 worker processes" was gone."""
    verdict = (
        "This run could not show it: this machine has no 2 free cores now "
        "(2 processes got only 1.10× the work of one done)"
    )
    answer = "Answer: A: 2 worker processes"
    label, font = _strip(qtbot, 20, answer, verdict)
    label.resize(_px(font, verdict) - 20, 30)  # not even the verdict
    plain = _plain(label)
    shown_lead, shown_answer = plain.split("  ·  ", 1)
    assert shown_answer.startswith("Answer: A"), plain
    assert shown_lead.endswith("…") and verdict.startswith(shown_lead[:-1]), plain
    assert verdict[len(shown_lead) - 1] in " ,;:(", plain  # the verdict cut at a word
    assert _px(font, shown_lead + "  ·  ", shown_answer) <= label.contentsRect().width()


def test_overlapping_runs_stay_said_when_the_strip_drops_their_ranges(qtbot):
    """Lesson 15 at 1920×1080 on a busy machine read "Verdict: no measurable difference in
    makespan (A 497 ms, B 1.41 s)  ·  Answer: No: about the same, or even later": the strip
    dropped the ranges that made "no difference" true, and the medians, 2.8× apart, said
    the opposite. What the class reads says the runs' ranges overlapped."""
    a, b = many(376, 497, 1460), many(517, 1410, 1550)
    verdict = f"Verdict: {verdict_from_summaries(a, b)}"
    answer = "Answer: No: about the same, or even later"
    label, _ = _strip(qtbot, 30, answer, verdict)
    label.resize(1900, 40)
    plain = _plain(label)
    assert "(376–1,460 ms)" not in plain and "–" not in plain.split("  ·  ")[0], plain
    assert "no winner in makespan: ranges overlap (A 497 ms, B 1.41 s)" in plain, plain
    assert plain.endswith(answer), plain


def _lesson(number: int):
    from app.assets import LESSONS
    from simulator.lessons import load_lesson

    return load_lesson(next(LESSONS.glob(f"{number:02d}-*.toml")))


def test_lesson_24_s_answer_is_whole_beside_its_verdict_at_720p_and_1080p(qtbot):
    """Lesson 24's reveal read "Answer: About the same…" at 1280×720 (presentation, 20 px on
    1250 px) and "…both overlap the 10 waits…" at 1920×1080 (15 px on 1112 px): its answer
    is now the line the class needs, its reason in the reveal's "why"."""
    verdict = "Verdict: about the same makespan: A 234 ms, B 232 ms, within 1%"
    answer = f"Answer: {_lesson(24).answer}"
    for pixels, width in ((20, 1250), (15, 1112), (30, 1900)):
        label, _ = _strip(qtbot, pixels, answer, verdict)
        label.resize(width, 2 * pixels)
        plain = _plain(label)
        assert plain == f"{verdict}  ·  {answer}", (pixels, plain)


def test_a_wrong_guess_s_words_are_cut_before_the_answer(qtbot):
    """Lesson 6 with the class's wrong guess: "Answer: A, the one that computes in one go
    (the class said: B, …)" read "Answer: A…" where the answer fitted whole: the cut went
    back past the end of the answer to its first comma. The guess goes, the answer stays
    whole (and ends without "…": "Not the guess." said it)."""
    from app.lesson_reveal import panel_text
    from app.session.quiz import Quiz

    lesson = _lesson(6)
    quiz = Quiz(lesson).guess_choice(0).forward()[0].measured().forward()[0]
    strip = panel_text(quiz, {}).strip
    answer = f"Not the guess. Answer: {lesson.answer}"
    assert strip == f"{answer} (the class said: {lesson.choices[0]})"
    verdict = "Verdict: A: p50 1.7× lower (A 322 ms, B 553 ms)"
    label, font = _strip(qtbot, 20, strip, verdict)
    lead = _px(font, f"{verdict}  ·  ")
    for room in range(lead + _px(font, "", f"{answer}…") + 2, lead + _px(font, "", strip), 6):
        label.resize(room, 40)
        assert _plain(label) == f"{verdict}  ·  {answer}", (room, _plain(label))


def test_whether_the_class_was_right_stays_when_the_answer_is_cut(qtbot):
    """At 720p lessons 15, 16 and 24 cut their answers, and "— the class was right" or
    "— not the guess" after them went too: the one line now says it first."""
    from app.lesson_reveal import panel_text
    from app.session.quiz import Quiz

    lesson = _lesson(15)
    quiz = Quiz(lesson).guess_choice(0).forward()[0].measured().forward()[0]  # "Yes: async…"
    strip = panel_text(quiz, {}).strip
    verdict = "Verdict: about the same makespan: A 382 ms, B 380 ms, within 1%"
    label, _ = _strip(qtbot, 20, strip, verdict)
    label.resize(1250, 40)
    plain = _plain(label)
    # Whole (its verdict's figures given up for it), the class's guess dropped without "…".
    assert plain.endswith(f"  ·  Not the guess. Answer: {lesson.answer}"), plain


def test_the_verdict_gives_up_its_figures_for_more_of_an_answer_it_cannot_show_whole(qtbot):
    """Lesson 15 at 1280×720 read "Verdict: no winner in makespan: ranges overlap (A 401 ms,
    B 363 ms)  ·  Not the guess. Answer: No…" (teacher41), its answer then "No: the last
    answer comes about as late, or later": B's lead kept, "about as late" cut. Where giving
    up the figures shows more of the answer, if not all of it, they go (the figures' line
    under the strip writes them)."""
    strip = (
        "Not the guess. Answer: No: the last answer comes about as late, or later"
        " (the class said: Yes: async is faster)"
    )
    verdict = "Verdict: no winner in makespan: ranges overlap (A 401 ms, B 363 ms)"
    label, _ = _strip(qtbot, 20, strip, verdict)
    label.resize(1250, 40)
    plain = _plain(label)
    assert plain == (
        "Verdict: no winner in makespan: ranges overlap  ·  Not the guess. Answer: No: the"
        " last answer comes about as late…"
    ), plain


def test_a_whole_answer_ends_without_a_cut_mark_where_the_class_s_guess_is_dropped(qtbot):
    """Lessons 2, 9, 11, 12, 16 and 18 read "Answer: No, about the same…" at 720p
    (teacher41): the answer whole, the class's wrong guess after it cut, and the "…" read as
    a cut answer. The guess goes whole ("Not the guess." says it), without the mark."""
    from app.lesson_reveal import panel_text
    from app.session.quiz import Quiz

    quiz = Quiz(_lesson(16)).guess_choice(0).forward()[0].measured().forward()[0]
    strip = panel_text(quiz, {}).strip
    assert "(the class said: Yes, about 4× sooner)" in strip
    verdict = "Verdict: about the same makespan: within 3%"
    label, font = _strip(qtbot, 20, strip, verdict)
    answer = "Not the guess. Answer: No, about the same"
    shown = 0
    for extra in range(30, 200, 10):  # the answer whole (and a "…"), the guess not
        label.resize(_px(font, f"{verdict}  ·  ", answer) + extra, 40)
        plain = _plain(label)
        if plain != f"{verdict}  ·  {strip}":
            assert plain == f"{verdict}  ·  {answer}", (extra, plain)
            shown += 1
    assert shown > 5


def test_a_long_verdict_gives_way_to_the_guess_and_the_answer_s_gist(qtbot):
    """With "Not the guess. " first, lesson 23's long verdict left "…  ·  Not…": the verdict
    gives way at a word until the answer's gist shows after it."""
    from app.lesson_reveal import panel_text
    from app.session.quiz import Quiz

    lesson = _lesson(23)
    quiz = Quiz(lesson).guess_choice(1).forward()[0].measured().forward()[0]
    strip = panel_text(quiz, {}).strip
    assert strip.startswith("Not the guess. Answer: A")
    verdict = (
        "Verdict: A finished 1.4× sooner (A 408 ms, B 561 ms), less than 2 free cores give:"
        " they were not free"
    )
    for pixels, width in ((20, 1250), (15, 1112), (20, 900)):
        label, _ = _strip(qtbot, pixels, strip, verdict)
        label.resize(width, 2 * pixels)
        plain = _plain(label)
        assert "  ·  Not the guess. Answer: A" in plain, (pixels, width, plain)


def test_a_verdict_keeps_its_ranges_beside_a_whole_answer_whose_guess_is_dropped(qtbot):
    """A wide strip with the answer whole and only the class's wrong guess cut: the verdict
    gave up its runs' ranges so the guess fitted, and then (before the guess went whole)
    lost them for nothing (review42)."""
    verdict = (
        "Verdict: about the same p50: A 201 ms (201–203 ms), B 217 ms (211–227 ms), within 8%;"
        " 3 runs each"
    )
    answer = "Not the guess. Answer: About the same"
    label, font = _strip(qtbot, 20, answer + " (the class said: B)", verdict)
    label.resize(_px(font, f"{verdict}  ·  ", answer) + 30, 40)
    assert _plain(label) == f"{verdict}  ·  {answer}"


def test_a_busy_machine_s_waits_give_way_before_the_answer(qtbot):
    """Lesson 23's reveal at 1280×720 read "…on a busy machine…  ·  The class was right.
    Answer: A…" (teacher45): the waits' figure goes first (the details say it), "on a busy
    machine" and the answer stay whole."""
    verdict = (
        "Verdict: A finished 1.8× sooner (A 348 ms, B 627 ms), on a busy machine (waiting for"
        " a core 21% of the time it had work)"
    )
    answer = "The class was right. Answer: A: 2 worker processes"
    label, font = _strip(qtbot, 20, answer, verdict)
    label.resize(1264, 30)  # the strip at 1280×720
    plain = _plain(label)
    assert plain.endswith(answer), plain
    assert plain.startswith("Verdict: A finished 1.8× sooner") and "on a busy machine  ·  " in plain
    assert "waiting for a core 21%" in label.toolTip()


def test_a_verdict_gives_way_at_a_word_to_a_whole_answer_where_it_keeps_its_gist(qtbot):
    """Lesson 6 at 1280×720 read "…, on a busy machine  ·  Not the guess. Answer: A…": "A"
    is a side's name, not the answer (teacher45). The verdict keeps who came out ahead and
    by what, cut at a word, and the answer is whole."""
    verdict = "Verdict: A: p50 1.6× lower in every run (A 376 ms, B 588 ms), on a busy machine"
    answer = (
        "Not the guess. Answer: A, the one that computes in one go (the class said: B, the"
        " sliced one: it is fair to everyone)"
    )
    label, _ = _strip(qtbot, 20, answer, verdict)
    label.resize(1262, 30)
    assert _plain(label) == (
        "Verdict: A: p50 1.6× lower in every run…  ·  Not the guess. Answer: A, the one that"
        " computes in one go"
    )
    # Too narrow for the verdict's gist beside the whole answer: the answer's gist, as before.
    label.resize(700, 30)
    assert _shown(label) == "Not the guess. Answer: A…"
