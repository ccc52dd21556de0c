"""The test suite never writes the user's own settings: a window made as the app makes it
(``QSettings()`` with no file named) saves into the test's folder, and ``~/.config`` is
left as it was (issue 25: after ``make test``, ``make run`` opened with the tests' dials)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import USER_HOME


def _tree(root: Path, depth: int = 2) -> dict[str, tuple[int, int]]:
    """Every entry under ``root`` to ``depth`` levels, with its modification time and size:
    a settings file written (atomically, by a rename) changes its folder's time too."""
    seen: dict[str, tuple[int, int]] = {}
    if not root.is_dir():
        return seen
    for folder, dirs, files in os.walk(root):
        level = len(Path(folder).relative_to(root).parts)
        if level >= depth:
            dirs[:] = []
        for name in [*dirs, *files]:
            path = Path(folder, name)
            try:
                stat = path.lstat()
            except OSError:
                continue
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


@pytest.mark.slow
def test_a_window_with_default_settings_leaves_the_users_config_alone(qtbot, qloop):
    from app.window.main_window import QtMainWindow

    user_config = USER_HOME / ".config"
    before = _tree(user_config)
    own = Path(os.environ["XDG_CONFIG_HOME"])
    assert not own.is_relative_to(user_config)

    window = QtMainWindow()  # as app.main makes it: QSettings() with no file named
    qtbot.addWidget(window)
    window.show()
    window.session.set_scenario("a", window.session.scenario("a").replace(requests=37))
    window.close()
    window.settings.sync()

    written = [path for path in own.rglob("*") if path.is_file()]
    assert written, "the window saved no settings at all: this test would prove nothing"
    assert any("37" in path.read_text(errors="replace") for path in written)
    assert _tree(user_config) == before
