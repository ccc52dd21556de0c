"""``async-lanes run`` imports what an in-process run needs and nothing it does not: every
module is a part of the command's start-up, which a person waits for each time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Loaded only by other commands or other kinds of run: the window (Qt), Django's test
#: package, and the socket client's HTTP parser (h11), which runs over sockets need.
_NOT_FOR_RUN = ("PySide6", "shiboken6", "django.test", "unittest", "h11")


@pytest.mark.slow
def test_an_in_process_run_loads_no_qt_no_test_package_and_no_socket_client(tmp_path):
    probe = (
        "import json, sys\n"
        "from app.launcher import main\n"
        f"main(['run', '--view', 'async_io', '--requests', '2', '--io-ms', '1', '--cpu-ms', '0',"
        f" '--json', {str(tmp_path / 'run.json')!r}])\n"
        f"print(json.dumps(sorted(m for m in {_NOT_FOR_RUN!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert (tmp_path / "run.json").exists()
