"""The numeric guess's scale and what counts as right, with no Qt.

A class guesses a number with a clicker's + and −, so the steps decide what the class can
say. A linear slider's middle happened to be lesson 04's answer (1.6 s of 3 s), and 0.15 s
took 14 presses. The steps here are round numbers of a rounded E6 series (1, 1.5, 2, 3, 5, 7
per decade) from 0 up to the lesson's ``guess_max``: the usual wrong answers (0, "one sleep
long", "all at once") sit a press or three from "no guess" at either end, and the first press
lands on 0 or the top, far from any answer a lesson's ``guess_max`` leaves room for.

A guess is right when it is within ±25% of the measurement, or is the step nearest to it
(the class could not have said anything closer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["NEAR_SHARE", "NumberVerdict", "guess_scale", "judge_number", "step_from"]

#: Round numbers per decade: a class argues "one and a half seconds", not "1.47".
_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)

#: How far from the measurement a guess may be and still count as right.
NEAR_SHARE = 0.25

#: The smallest step above 0, as a share of ``guess_max``: a few presses cover the range.
_LOWEST_SHARE = 1 / 20


def _round(value: float) -> float:
    """``0.15``, not ``0.15000000000000002``: a decade times a mantissa, as a class says it."""
    return float(f"{value:.6g}")


def guess_scale(guess_max: float) -> tuple[float, ...]:
    """The steps + and − walk: 0, then round values from about ``guess_max``/20 up to
    ``guess_max`` (which ends the scale even when it is not round)."""
    low = guess_max * _LOWEST_SHARE
    decade = 10.0 ** math.floor(math.log10(low))
    # The largest round value at or below ``low`` (a tolerance for float decades).
    start = max(_round(m * decade) for m in _MANTISSAS if m * decade <= low * (1 + 1e-9))
    steps = [0.0]
    while decade <= guess_max:
        steps += [
            v for m in _MANTISSAS if start <= (v := _round(m * decade)) < guess_max * (1 - 1e-9)
        ]
        decade *= 10
    return (*steps, float(guess_max))


def step_from(scale: tuple[float, ...], now: float | None, sign: int) -> float:
    """The step after ``now`` in direction ``sign``: from no guess, + goes to the bottom and
    − to the top; past an end the guess stays there. ``now`` may be off the scale (the
    slider's mouse): the next step beyond it."""
    if now is None:
        return scale[0] if sign > 0 else scale[-1]
    if sign > 0:
        return next((v for v in scale if v > now), scale[-1])
    return next((v for v in reversed(scale) if v < now), scale[0])


@dataclass(frozen=True, slots=True)
class NumberVerdict:
    """The class's number beside the measurement: right or not, and the step that was
    nearest (what the class could have said)."""

    guess: float
    measured: float
    nearest: float
    #: Within ±:data:`NEAR_SHARE` of the measurement.
    close: bool

    @property
    def right(self) -> bool:
        return self.close or self.guess == self.nearest


def judge_number(guess: float, measured: float, scale: tuple[float, ...]) -> NumberVerdict:
    """Right when within ±:data:`NEAR_SHARE` of ``measured`` or on the step nearest it."""
    nearest = min(scale, key=lambda v: abs(v - measured))
    close = abs(guess - measured) <= NEAR_SHARE * abs(measured)
    return NumberVerdict(guess, measured, nearest, close)
