from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.trace import Run

#: The model's calibration cache lives in the user's data folder (platformdirs, following
#: ``XDG_DATA_HOME``): every test, and every process a test starts, uses a scratch folder
#: instead, so no test reads a developer's calibration or writes one.
_DATA_HOME = tempfile.mkdtemp(prefix="lanes-test-data-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_DATA_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def run():
    """Run a scenario given as keyword dials: ``run(view="sync_io", mode="wsgi")``."""

    def run_with(**dials) -> Run:
        return run_scenario(Scenario(**dials))

    return run_with


#: A test not marked slow that takes longer than this is named at the end of the run, so the
#: fast suite stays fast: three times the marker's half second (pyproject.toml), so a busy
#: machine does not cry wolf, and a note, never a failure (a busy machine is slow, not wrong).
FAST_TEST_LIMIT_S = 1.5
_too_slow: list[tuple[str, float]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.duration > FAST_TEST_LIMIT_S:
        if "slow" not in report.keywords:
            _too_slow.append((report.nodeid, report.duration))


def pytest_terminal_summary(terminalreporter) -> None:
    if _too_slow:
        terminalreporter.section("tests that should be marked slow")
        for nodeid, duration in _too_slow:
            terminalreporter.write_line(f"{duration:5.1f} s  {nodeid}")
