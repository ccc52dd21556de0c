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
    """Else every start migrates again, a third of a second slower: write it again with
    ``python -m embedded_site.db.schema``."""
    first = schema.SQL_FILE.read_text(encoding="utf-8").partition("\n")[0]
    assert first == f"-- key {schema.key()}"


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
