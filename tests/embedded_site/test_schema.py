"""The site's scratch database is filled from the kept SQL (embedded_site/db/schema.py): it
must be what a fresh ``migrate`` gives, and in use wherever it was made for this site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from embedded_site.db import schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_kept_sql_was_made_for_this_site(site):
    """Else every start migrates again, a third of a second slower."""
    first = schema.SQL_FILE.read_text(encoding="utf-8").partition("\n")[0]
    assert first == f"-- key {schema.key()}", (
        f"{schema.SQL_FILE} was not made for this site's migrations: every start migrates "
        "again (a third of a second); write it again with python -m embedded_site.db.schema"
    )


def test_a_django_patch_release_keeps_the_kept_sql_and_a_feature_release_does_not(
    site, monkeypatch
):
    """A fresh clone installs the newest Django 5.2.x (the pin is >=5.2,<5.3): a patch
    release adds no migration (Django's policy), so the kept SQL still holds; 5.3 may."""
    import django

    kept = schema.key()
    major, minor, *_ = django.VERSION
    monkeypatch.setattr(django, "VERSION", (major, minor, 999, "final", 0))
    monkeypatch.setattr(django, "__version__", f"{major}.{minor}.999")
    assert schema.key() == kept
    monkeypatch.setattr(django, "VERSION", (major, minor + 1, 0, "final", 0))
    assert schema.key() != kept


def test_databases_are_compared_by_their_schema_and_rows(tmp_path):
    """The slow check compares what two databases hold, not the dumps' text: a row that
    differs is a difference; when a migration was applied is not."""
    import sqlite3

    sql = schema.SQL_FILE.read_text(encoding="utf-8").partition("\n")[2]
    made = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        with sqlite3.connect(path) as raw:
            raw.executescript(sql)
        raw.close()
        made.append(path)
    a, b = made
    with sqlite3.connect(b) as raw:
        raw.execute("UPDATE django_migrations SET applied = '2031-01-01 00:00:00'")
    raw.close()
    assert schema.contents(a) == schema.contents(b)
    with sqlite3.connect(b) as raw:
        raw.execute("UPDATE lessons_article SET title = 'Not the front page'")
    raw.close()
    assert schema.contents(a) != schema.contents(b)


def test_the_booted_site_has_what_migrate_records(site):
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from embedded_site.models import Article

    applied = MigrationRecorder(connections["default"]).applied_migrations()
    assert ("lessons", "0001_initial") in applied and ("auth", "0001_initial") in applied
    assert Article.objects.filter(slug="front-page").exists()
    connections.close_all()


@pytest.mark.slow
def test_the_kept_sql_is_what_a_fresh_migrate_gives():
    """In a process of its own: a fresh file migrated as ever, dumped, compared."""
    done = subprocess.run(
        [sys.executable, "-m", "embedded_site.db.schema", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
