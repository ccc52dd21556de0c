from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from embedded_site.scratch import make_scratch_folder
from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.trace import Run

#: The user's own home, as it was before the suite hid it: a test checks it is left as it was.
USER_HOME = Path(os.environ.get("HOME") or Path.home())
#: The folders a program writes its settings, data and caches in, per the XDG spec and POSIX.
HOME_VARIABLES = {
    "HOME": "home",
    "XDG_CONFIG_HOME": "config",
    "XDG_DATA_HOME": "data",
    "XDG_CACHE_HOME": "cache",
    "XDG_STATE_HOME": "state",
}


#: The whole run's home folder, made at start and removed at the end.
_SUITE_HOME = pytest.StashKey[Path]()
#: Its name's start; the folder is ``<prefix><pid>-<random>`` in the temp folder, so a run
#: killed outright (SIGKILL, a CI timeout) leaves one the next run sweeps.
SUITE_HOME_PREFIX = "async-lanes-tests-home-"


def _homes_in(root: Path) -> dict[str, str]:
    homes = {key: str(root / name) for key, name in HOME_VARIABLES.items()}
    for folder in homes.values():
        Path(folder).mkdir(parents=True, exist_ok=True)
    return homes


def _ignore(signum: int, frame: object) -> None:
    """Stands in for SIG_IGN in the test process: a handled signal is reset to its default
    in every program the tests start (``exec`` keeps only *ignored* dispositions)."""


@pytest.hookimpl(tryfirst=True)  # (before pytest's own reads ``basetemp``)
def pytest_configure(config: pytest.Config) -> None:
    """Before any test imports Qt: the whole run's settings, data and caches live in a
    folder of its own (Qt reads the XDG folders once, at its first QSettings), and a suite
    started by ``nohup`` or a script's ``&`` (SIGINT and SIGHUP ignored, inherited by every
    child) still hands its children the default handling the signal tests rely on. The homes
    of earlier runs killed outright, whose process is gone, are swept first (never a running
    one's: two runs may share the temp folder). The tests' own temporary folders
    (``tmp_path``) go there too, unless ``--basetemp`` says where: pytest keeps its last
    three runs' in ``pytest-of-<user>`` in the temp folder, ~1,800 folders each, which a
    ``make test`` left behind. (A failed test's folder goes with the rest: to look at it
    after the run, pass ``--basetemp=DIR``.)"""
    root = make_scratch_folder(SUITE_HOME_PREFIX)
    config.stash[_SUITE_HOME] = root
    os.environ.update(_homes_in(root))
    if config.option.basetemp is None:
        config.option.basetemp = str(root / "pytest")
    if sys.platform != "win32":
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
            if signal.getsignal(sig) == signal.SIG_IGN:
                signal.signal(sig, _ignore)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's settings folder goes with the run (every run left one in the temp folder)."""
    root = config.stash.get(_SUITE_HOME, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets fresh settings, data and cache folders (and the programs it starts
    inherit them): no test reads the user's settings or another test's."""
    homes = _homes_in(tmp_path_factory.mktemp("home"))
    for key, value in homes.items():
        monkeypatch.setenv(key, value)
    qt_core = sys.modules.get("PySide6.QtCore")
    if qt_core is not None:  # QSettings() made during the test writes here
        settings = qt_core.QSettings
        for format_ in (settings.Format.NativeFormat, settings.Format.IniFormat):
            settings.setPath(format_, settings.Scope.UserScope, homes["XDG_CONFIG_HOME"])
    yield


@pytest.fixture(scope="session")
def run():
    """Run a scenario given as keyword dials: ``run(view="sync_io", mode="wsgi")``."""

    def run_with(**dials) -> Run:
        return run_scenario(Scenario(**dials))

    return run_with


@pytest.fixture(scope="session")
def measured_costs():
    """One real calibration of this machine, what ``async-lanes calibrate`` measures
    (:func:`~simulator.prediction.measuring.measure_costs`: ~20 short real runs and the fit
    of its bursts), for every test that reads one: each made its own, 10-30 s apiece."""
    from simulator.prediction.measuring import measure_costs

    return measure_costs()


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
