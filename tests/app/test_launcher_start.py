"""What ``async-lanes`` does at its start for every command: numpy's OpenBLAS gets one
thread (its pool of one per core spins at the start for nothing: we multiply no matrices),
unless the person's environment asks for another number."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: ``async-lanes views`` as its entry point runs it (no argv: this process's own start),
#: then numpy imported as a run imports it; prints the variable and the process's threads.
_PROBE = (
    "import json, os, sys\n"
    "sys.argv = ['async-lanes', 'views']\n"
    "from app import launcher\n"
    "launcher.main()\n"
    "import numpy\n"
    "print(json.dumps([os.environ.get('OPENBLAS_NUM_THREADS'),"
    " len(os.listdir('/proc/self/task'))]))\n"
)


def _started(env: dict[str, str]) -> tuple[str | None, int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    setting, threads = json.loads(done.stdout.splitlines()[-1])
    return setting, threads


@pytest.mark.slow
def test_numpy_starts_no_blas_threads_and_a_persons_own_setting_is_kept():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    setting, threads = _started(env)
    assert setting == "1"
    assert threads == 1  # the main thread alone: no OpenBLAS pool beside it
    setting, _ = _started({**env, "OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"
