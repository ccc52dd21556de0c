"""The site's scratch database filled in milliseconds: what ``migrate`` writes, kept as SQL.

Every process that serves the site (the command line, the window, each uvicorn or gunicorn
worker) starts with a fresh SQLite file, and ``migrate`` took a third of a second or more of
every start to fill it: Django renders each app's model states and runs sixteen migrations
one by one. ``schema.sql`` beside this file is SQLite's own dump of a database ``migrate``
just filled (tables, indexes and rows: content types, permissions, the front page, the
``django_migrations`` record), so running it gives the same database; ``tests/embedded_site/
test_schema.py`` migrates a fresh file in a process of its own and compares the two dumps.

The SQL is used only where it was made for this site: its first line holds :func:`key`, a
digest of Django's version, the installed apps and the site's own migrations; otherwise
:func:`embedded_site.boot` migrates as before. After a migration or a Django upgrade, write
it again with ``python -m embedded_site.db.schema`` (the test says so when it is stale).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["SQL_FILE", "dump", "key", "load"]

#: The kept SQL; its first line is ``-- key <key()>``.
SQL_FILE = Path(__file__).with_name("schema.sql")

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: When each migration was applied: the one thing two dumps of a fresh database differ in.
_APPLIED = re.compile(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?'\);$", re.MULTILINE)


def key() -> str:
    """What the kept SQL depends on: Django's version, the installed apps, the site's own
    migrations (their file names and bytes). Call after ``django.setup()``."""
    import django
    from django.conf import settings

    digest = hashlib.sha256(django.__version__.encode())
    digest.update("\n".join(settings.INSTALLED_APPS).encode())
    for path in sorted(_MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def load(connection: BaseDatabaseWrapper) -> bool:
    """Fill the empty database of ``connection`` with the kept SQL, if it was made for this
    site (:func:`key`); whether it was. The migrations are recorded as applied now."""
    try:
        first, _, sql = SQL_FILE.read_text(encoding="utf-8").partition("\n")
    except OSError:
        return False
    if connection.vendor != "sqlite" or first != f"-- key {key()}":
        return False
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    # The dump makes the tables in name order, a row before the table it refers to exists:
    # Django's connection checks foreign keys, so not while it runs (the rows are migrate's).
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.executescript(sql)
    raw.execute("PRAGMA foreign_keys = ON")
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    with raw:
        raw.execute('UPDATE "django_migrations" SET "applied" = ?', (now,))
    return True


def dump(database: Path) -> str:
    """The kept SQL's text for the SQLite file ``database``, key line first; the times its
    migrations were applied are left out (one fixed time), so two dumps of a freshly migrated
    database are the same text."""
    with sqlite3.connect(database) as raw:
        sql = "\n".join(raw.iterdump())
    raw.close()
    fixed = _APPLIED.sub("'2000-01-01 00:00:00');", sql)
    return f"-- key {key()}\n{fixed}\n"


def _migrated_dump() -> str:
    """A fresh database, migrated as ever (no kept SQL), dumped."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedded_site.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup(set_prefix=False)
    call_command("migrate", interactive=False, verbosity=0)
    return dump(Path(str(settings.DATABASES["default"]["NAME"])))


def main(argv: list[str]) -> int:
    """``python -m embedded_site.db.schema [--check]``: write the kept SQL from a fresh
    migrate, or (``--check``) say whether it is what a fresh migrate gives (exit 1 if not)."""
    fresh = _migrated_dump()
    if argv[1:] == ["--check"]:
        kept = SQL_FILE.read_text(encoding="utf-8") if SQL_FILE.exists() else ""
        if kept == fresh:
            return 0
        print(
            f"{SQL_FILE.name} is not what migrate gives now: write it again with "
            "python -m embedded_site.db.schema",
            file=sys.stderr,
        )
        return 1
    SQL_FILE.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
