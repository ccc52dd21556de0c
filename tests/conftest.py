from __future__ import annotations

import pytest

from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.trace import Run


@pytest.fixture(scope="session")
def run():
    """Run a scenario given as keyword dials: ``run(view="sync_io", mode="wsgi")``."""

    def run_with(**dials) -> Run:
        return run_scenario(Scenario(**dials))

    return run_with
