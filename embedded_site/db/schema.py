"""The site's scratch database filled in milliseconds: what ``migrate`` writes, kept as SQL.

Every process that serves the site (the command line, the window, each uvicorn or gunicorn
worker) starts with a fresh SQLite file, and ``migrate`` took a third of a second or more of
every start to fill it: Django renders each app's model states and runs sixteen migrations
one by one. ``schema.sql`` beside this file is SQLite's own dump of a database ``migrate``
just filled (tables, indexes and rows: content types, permissions, the front page, the
``django_migrations`` record), so running it gives the same database; ``tests/embedded_site/
test_schema.py`` migrates a fresh file in a process of its own and compares the two
databases (their schema objects and rows, not the dumps' text, which is Python's and
SQLite's formatting).

The SQL is used only where it was made for this site: its first line holds :func:`key`, a
digest of what decides what ``migrate`` writes: Django's feature release (5.2: a patch
release adds no migration, by Django's policy, so a fresh install of the newest 5.2.x keeps
using it), the installed apps and every one of their migrations, Django's own included;
otherwise :func:`embedded_site.boot` migrates as before. After a migration or a Django
upgrade, write it again with ``python -m embedded_site.db.schema`` (the tests say so).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["SQL_FILE", "contents", "dump", "key", "load"]

#: The kept SQL; its first line is ``-- key <key()>``.
SQL_FILE = Path(__file__).with_name("schema.sql")

#: When each migration was applied: the one thing two dumps of a fresh database differ in.
_APPLIED = re.compile(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?'\);$", re.MULTILINE)


def key() -> str:
    """What the kept SQL depends on: Django's feature release, the installed apps, and each
    app's migrations (their file names and bytes). Call after ``django.setup()``."""
    import django
    from django.apps import apps

    digest = hashlib.sha256("{}.{}".format(*django.VERSION[:2]).encode())
    for app in apps.get_app_configs():
        digest.update(b"\0app " + app.name.encode())
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
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


def contents(database: Path) -> tuple[list[tuple[object, ...]], dict[str, list[object]]]:
    """What the SQLite file ``database`` holds, to compare two databases by: its schema
    objects (tables, indexes, triggers, each with its SQL) and every table's rows, sorted;
    when each migration was applied is left out (the one thing two fresh databases differ
    in)."""
    with contextlib.closing(sqlite3.connect(database)) as raw:
        objects = raw.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        tables = [name for kind, name, _, _ in objects if kind == "table"]
        rows: dict[str, list[object]] = {}
        for table in tables:
            cursor = raw.execute(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            found = cursor.fetchall()
            if table == "django_migrations":
                at = columns.index("applied")
                found = [row[:at] + row[at + 1 :] for row in found]
            rows[table] = sorted(found, key=repr)
    return sorted(objects, key=repr), rows


def _kept_contents(folder: Path) -> tuple[str, tuple[list[tuple[object, ...]], dict]]:
    """The kept SQL's key line, and the contents of a database made from it in ``folder``."""
    first, _, sql = SQL_FILE.read_text(encoding="utf-8").partition("\n")
    database = folder / "kept.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as raw:
        raw.executescript(sql)
    return first, contents(database)


def _migrated() -> Path:
    """A fresh database, migrated as ever (no kept SQL): its file."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedded_site.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup(set_prefix=False)
    call_command("migrate", interactive=False, verbosity=0)
    return Path(str(settings.DATABASES["default"]["NAME"]))


def main(argv: list[str]) -> int:
    """``python -m embedded_site.db.schema [--check]``: write the kept SQL from a fresh
    migrate, or (``--check``) say whether it is what a fresh migrate gives (exit 1 if not)."""
    fresh = _migrated()
    if argv[1:] == ["--check"]:
        with tempfile.TemporaryDirectory() as folder:
            try:
                first, kept = _kept_contents(Path(folder))
            except (OSError, sqlite3.Error):
                first, kept = "", ([], {})
        if first == f"-- key {key()}" and kept == contents(fresh):
            return 0
        print(
            f"{SQL_FILE.name} is not what migrate gives now: write it again with "
            "python -m embedded_site.db.schema",
            file=sys.stderr,
        )
        return 1
    SQL_FILE.write_text(dump(fresh), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
