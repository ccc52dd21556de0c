"""The site's scratch folder is made when its database opens, not when its settings are read.

mypy's Django plugin reads the settings on every ``make lint`` and ends with ``os._exit``,
which skips ``atexit``: each run left an ``async-lanes-db-*`` folder in the temp folder.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from embedded_site.scratch import PREFIX

ROOT = Path(__file__).resolve().parents[2]

_SETUP = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "embedded_site.settings"
import django
django.setup()
from django.conf import settings
folder = settings.LANES_SCRATCH_DIR
"""


def _python(code: str, temp: Path) -> str:
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _SETUP + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_reading_the_settings_and_ending_at_once_leaves_no_folder(tmp_path):
    out = _python("print(folder.exists()); sys.stdout.flush(); os._exit(0)", tmp_path)
    assert out.split() == ["False"]
    assert not list(tmp_path.glob(PREFIX + "*"))


def test_the_database_opened_makes_the_folder_its_owner_s_alone_and_an_exit_removes_it(
    tmp_path,
):
    out = _python(
        "from django.db import connection\n"
        "connection.cursor().execute('select 1')\n"
        "print(folder.parent == __import__('pathlib').Path(os.environ['TMPDIR']), "
        "oct(folder.stat().st_mode & 0o777), folder.name.startswith(f'{os.getpid()}', "
        f"len({PREFIX!r})))\n",
        tmp_path,
    )
    assert out.split() == ["True", oct(stat.S_IRWXU), "True"]
    assert not list(tmp_path.glob(PREFIX + "*"))
