"""Where the app's own files (the lessons, the icon) are, however the app was installed.

The repository keeps them in ``assets/`` at its top level, where teachers and the command
line's examples find them. ``app/_assets`` is a symlink to that folder, so the package carries
them under its own name: a source checkout, the editable install of ``make`` and a real wheel
(setuptools copies what the symlink points to, see ``package-data`` in pyproject.toml) all
read them the same way, through ``importlib.resources``. A path beside the source tree
(``../assets``) would not exist once ``pip install .`` has copied the package elsewhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ASSETS", "ICON", "LESSONS"]


def _assets_folder() -> Path:
    """The folder itself: Qt and the file dialog need a real path, not a resource handle.

    pip always installs a wheel unpacked, so the package is on disk and this is a folder.
    """
    return Path(str(resources.files(__package__ or "app").joinpath("_assets")))


#: The app's files: ``icon.svg`` and ``lessons/``.
ASSETS: Path = _assets_folder()
#: The window's icon.
ICON: Path = ASSETS / "icon.svg"
#: The lesson files the Lessons menu lists (``*.toml``).
LESSONS: Path = ASSETS / "lessons"
