"""How many cores are free, measured by burning CPU in processes: a burner that could not
burn says nothing of the machine."""

from __future__ import annotations

import os

import pytest

from simulator import machine


def _fails(seconds: float) -> None:
    os._exit(3)  # as a burner that crashed on its way (a fork of a threaded process, say)


def test_burners_that_did_not_burn_measure_nothing(monkeypatch: pytest.MonkeyPatch):
    """The window forks its burners from a process with Qt and threads in it: one that ends
    without burning ended at once, and the ratio of two such ends read as a busy machine ("no
    2 free cores", the lesson's line) or a free one, from no measurement at all."""
    if "fork" not in machine.multiprocessing.get_all_start_methods():
        pytest.skip("measured only where processes fork")
    monkeypatch.setattr(machine, "_burn", _fails)
    assert machine.parallel_speedup(2) is None
