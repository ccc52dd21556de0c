"""The values a session holds besides scenarios and runs: which side, the lesson, the
prediction and its check. Plain frozen dataclasses, so a listener can keep one safely."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from simulator.files.scenario_file import ScenarioFile
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["Kept", "Lesson", "Prediction", "PredictionCheck", "Side"]


class Side(StrEnum):
    """Side A (the only one outside compare mode) or side B of a comparison.

    A ``StrEnum``, so ``runs["a"]`` and settings written as ``"a"`` keep working.
    """

    A = "a"
    B = "b"

    @property
    def other(self) -> Side:
        return Side.B if self is Side.A else Side.A


@dataclass(frozen=True, slots=True)
class Lesson:
    """A loaded lesson or scenario file with a title: the heading the window shows while
    side A's dials are still the lesson's. The quiz flow (question, guess, reveal) will keep
    its step here."""

    title: str
    file: ScenarioFile

    def matches(self, scenario: Scenario) -> bool:
        """Whether ``scenario`` is still the lesson's side A, untouched."""
        return self.file.a == scenario


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the model expects for a scenario, never mixed with a measurement."""

    scenario: Scenario
    trace: Trace
    summary: Summary


@dataclass(frozen=True, slots=True)
class PredictionCheck:
    """The model's makespan beside the measured one, for the run just finished."""

    predicted_ms: float
    measured_ms: float
    #: Whether the model used this machine's calibration (``async-lanes calibrate``).
    calibrated: bool = False

    @property
    def ratio(self) -> float:
        """Measured over predicted (1.0: the model was right)."""
        return self.measured_ms / self.predicted_ms if self.predicted_ms > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class Kept:
    """A session's runs as they stood, to come back to (Page Up to the last lesson)."""

    runs: dict[Side, Run | None]
    samples: dict[Side, list[Run]]
    last_side: Side | None
    check: PredictionCheck | None
