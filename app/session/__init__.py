"""The session model: scenarios, runs, queue, verdict, prediction and lesson, with no Qt.

The window (``app/window/``) and its widgets (``app/widgets/``) listen to
:attr:`Session.events` and call its methods.
"""

from __future__ import annotations

from .events import SessionEvents
from .model import FRAME_MS, Session
from .predictions import PREDICT_WITH_RUN_LIMIT
from .runner import RunHandle, Runner
from .state import Lesson, Prediction, PredictionCheck, Side

__all__ = [
    "FRAME_MS",
    "PREDICT_WITH_RUN_LIMIT",
    "Lesson",
    "Prediction",
    "PredictionCheck",
    "RunHandle",
    "Runner",
    "Session",
    "SessionEvents",
    "Side",
]
