"""How often each lesson's claims hold: every lesson run ``--repeat`` times, its hold rate.

A lesson teaches only if its point shows every time it is run in front of a class, also on a
busy machine. Run this while another process burns a core (``--burn`` starts one itself: a
process spinning on one core for the whole benchmark) and every lesson should read 10/10.
A lesson whose needs this machine cannot meet is listed as skipped, with the reason.

    python benchmarks/lessons.py --repeat 10 --burn
    python benchmarks/lessons.py --repeat 3 --only 6 9 18

Prints one line per lesson: its number, how often every claim held, how often the verdict
came out as the lesson's ``expect`` says (``—`` for a lesson of one scenario), how often the
verdict named a winner (its words: lower, sooner...), the seconds it took, and for a claim
that failed (or a verdict that did not match), what was measured (the first of each).
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import time
from pathlib import Path

from simulator.hosting.engine import run_scenario
from simulator.lessons import lesson_entries, run_lesson

LESSONS = Path(__file__).resolve().parents[1] / "assets" / "lessons"
#: Words of a verdict that names a winner; a lesson expecting "same" must never show them.
RACE_WORDS = re.compile(r"lower|higher|sooner|later|faster|slower", re.IGNORECASE)


def _burn() -> None:
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs of each lesson")
    parser.add_argument("--only", type=int, nargs="*", help="lesson numbers (default: all)")
    parser.add_argument(
        "--burn", action="store_true", help="keep one core busy with another process meanwhile"
    )
    args = parser.parse_args()
    burner = None
    if args.burn:
        burner = multiprocessing.Process(target=_burn, daemon=True)
        burner.start()
    try:
        total_held = total_runs = total_expected = total_compared = 0
        for entry in lesson_entries(LESSONS):
            if args.only and entry.number not in args.only:
                continue
            if entry.lesson is None:
                print(f"{entry.number:3d}  BROKEN  {entry.problem}")
                continue
            # As ``lesson N --check``: a lesson needing 2 free cores cannot hold while the
            # burner takes one; it is skipped, saying so, not counted as failing.
            unmet = entry.lesson.needs.unmet_now()
            if unmet is not None:
                print(f"{entry.number:3d}  skipped: {unmet}")
                continue
            held = expected = winners = 0
            failures: dict[str, str] = {}
            start = time.perf_counter()
            comparison = entry.lesson.is_comparison
            for _ in range(args.repeat):
                result = run_lesson(entry.lesson, run_scenario)
                held += result.held
                expected += result.expectation_held is True
                winners += bool(RACE_WORDS.search(result.verdict or ""))
                for claim in result.results:
                    if not claim.held:
                        failures.setdefault(claim.claim.says, claim.measured)
                if comparison and not result.expectation_held:
                    failures.setdefault(
                        f"verdict (expect {entry.lesson.expect})", result.verdict or ""
                    )
            seconds = time.perf_counter() - start
            total_held += held
            total_runs += args.repeat
            total_expected += expected
            total_compared += args.repeat if comparison else 0
            verdict = f"{expected:2d}/{args.repeat}" if comparison else " —   "
            named = f"{winners:2d}" if comparison else " —"
            print(
                f"{entry.number:3d}  claims {held:2d}/{args.repeat}  verdict {verdict}  "
                f"winner named {named}  {seconds:6.1f} s  {entry.title}",
                flush=True,
            )
            for says, measured in failures.items():
                print(f"       failed: {says} — measured {measured}", flush=True)
        print(f"all: {total_held}/{total_runs} lesson runs held every claim")
        print(f"all: {total_expected}/{total_compared} comparison verdicts as the lessons expect")
    finally:
        if burner is not None:
            burner.terminate()
            burner.join()


if __name__ == "__main__":
    main()
