"""A real wheel, installed away from the source tree, still has its lessons and its icon.

``pip install .`` and ``pipx install`` copy the package into site-packages: anything the app
looks for beside the source tree is gone there. This builds the wheel the way pip does,
installs it into a fresh virtual environment and opens the window from that install.
Like ``pip install .``, building fetches the build backend (setuptools) from the package
index or pip's cache, in pip's isolated build environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

#: Run inside the fresh environment: what a user sees of the Lessons menu and the icon.
LOOK_AT_THE_WINDOW = textwrap.dedent(
    """
    import app
    from app.main import create_application
    from app.window.main_window import QtMainWindow

    qt_app = create_application()
    window = QtMainWindow()
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Lessons"]
    print("from", app.__file__)
    print("icon", not qt_app.windowIcon().isNull())
    from embedded_site.db import schema  # what migrate writes, kept: every start fills it

    print("schema", schema.SQL_FILE.is_file())
    for action in menu.actions():
        print("lesson", action.text())
    """
)


def _lesson_titles() -> list[str]:
    """The repository's lesson titles with their file's number, in file name order (as the menu)."""
    paths = sorted((ROOT / "assets" / "lessons").glob("*.toml"))
    titles = [tomllib.loads(path.read_text(encoding="utf-8"))["title"] for path in paths]
    return [
        f"{int(path.name.split('-')[0])}. {title}"
        for path, title in zip(paths, titles, strict=True)
    ]


def _run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a copy of the checkout (the checkout itself stays clean)."""
    source = tmp_path_factory.mktemp("source") / "django-async-lanes"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,  # app/_assets stays a link, as in a clone
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*cache*"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, source)
    (built,) = out.glob("django_async_lanes-*.whl")
    return built


def test_the_installed_wheel_lists_every_lesson_and_sets_the_icon(wheel, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # Nothing of the test run's own paths (PYTHONPATH points at the checkout).
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env |= {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run(python, "-I", "-c", purelib, env=env).stdout.strip())
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
        env=env,
    )
    # The dependencies (Django, PySide6...) come from this environment's site-packages, after
    # the fresh one: a plain path, so this environment's editable install of the project is
    # not loaded and `app` can only come from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # -I: neither the working folder nor PYTHONPATH on sys.path, as for an installed command.
    shown = _run(python, "-I", "-c", LOOK_AT_THE_WINDOW, cwd=tmp_path, env=env).stdout
    lines = shown.splitlines()
    assert lines[0].startswith(f"from {site}"), lines[0]
    assert lines[1] == "icon True"
    assert lines[2] == "schema True"
    shown_titles = [line.removeprefix("lesson ") for line in lines[3:]]
    # A lesson whose server is not installed keeps its title, greyed out with the reason after.
    assert len(shown_titles) == len(_lesson_titles())
    for shown_title, title in zip(shown_titles, _lesson_titles(), strict=True):
        rest = shown_title.removeprefix(title)
        assert shown_title.startswith(title) and (rest == "" or rest.startswith(" (needs ")), rest
