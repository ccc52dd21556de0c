"""A small, ordinary Django project whose views are the lessons of Django Async Lanes.

It is hosted in-process by :mod:`simulator`, which measures it; nothing here knows who
hosts it. :func:`boot` is the one entry point a host needs before importing
``embedded_site.asgi`` or ``embedded_site.wsgi``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["boot", "middleware_stack"]


def boot() -> None:
    """Configure Django for this project, once per process, and bring the database up to date.

    Safe to call again: later calls do nothing. The database is a fresh SQLite file in a
    temporary folder at every start (see ``settings.DATABASES``): it is filled from the kept
    SQL of what ``migrate`` writes (:mod:`embedded_site.db.schema`), in milliseconds, or
    migrated where that SQL was not made for this Django release, these apps and migrations.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedded_site.settings")
    from django.apps import apps

    if apps.ready:
        return
    # Migrating is sync-only ORM work, which Django refuses on a thread running an event
    # loop (the first scenario may well be made inside one): do it on a thread of its own.
    failure: list[BaseException] = []
    worker = threading.Thread(target=_setup, args=(failure,), name="django-boot")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


@contextlib.contextmanager
def middleware_stack(name: str) -> Iterator[None]:
    """Inside the block, ``settings.MIDDLEWARE`` is ``LANES_MIDDLEWARE_STACKS[name]``: Django
    reads it once, when a handler is built, so a handler built inside has that stack.

    Set and put back as ``override_settings`` does it, without importing Django's test
    package (its client, ``unittest``) into every run's process: 15 ms of its start. Nothing
    listens for a change of ``MIDDLEWARE`` (``setting_changed``) outside tests."""
    from django.conf import settings

    before = settings.MIDDLEWARE
    settings.MIDDLEWARE = settings.LANES_MIDDLEWARE_STACKS[name]
    try:
        yield
    finally:
        settings.MIDDLEWARE = before


def _setup(failure: list[BaseException]) -> None:
    import django
    from django.core.management import call_command
    from django.db import connections

    from embedded_site.db import schema

    try:
        django.setup(set_prefix=False)
        connection = connections["default"]
        _scratch_writes(connection)
        # What migrate would write, in milliseconds, if kept for this very site (the module
        # says how it is kept true); the system checks of this fixed project are a test
        # (tests/embedded_site/test_site.py), not a cost of every start.
        if not schema.load(connection):
            call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    except BaseException as exc:  # handed to the caller's thread
        failure.append(exc)
    finally:
        connections.close_all()


def _scratch_writes(connection: BaseDatabaseWrapper) -> None:
    """Let migrating write the database as the scratch file it is.

    The file is made for this process and removed when it ends, so creating its tables need
    not survive a power cut: on this one connection (closed when migrating is done) SQLite
    neither waits for the disk at each of migrate's ~25 commits nor keeps a journal file,
    which took most of the start-up's second on a busy machine. Both settings belong to the
    connection, not the file: every connection the site opens while it is measured has
    SQLite's defaults (a test checks), so the lessons' database work is what it always was.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA journal_mode = MEMORY")
