"""A small, ordinary Django project whose views are the lessons of Django Async Lanes.

It is hosted in-process by :mod:`simulator`, which measures it; nothing here knows who
hosts it. :func:`boot` is the one entry point a host needs before importing
``embedded_site.asgi`` or ``embedded_site.wsgi``.
"""

from __future__ import annotations

import os
import threading

__all__ = ["boot"]


def boot() -> None:
    """Configure Django for this project, once per process, and bring the database up to date.

    Safe to call again: later calls do nothing. Migrations run on every start because the
    database is a fresh SQLite file in a temporary folder (see ``settings.DATABASES``).
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


def _setup(failure: list[BaseException]) -> None:
    import django
    from django.core.management import call_command
    from django.db import connections

    try:
        django.setup(set_prefix=False)
        call_command("migrate", interactive=False, verbosity=0)
    except BaseException as exc:  # handed to the caller's thread
        failure.append(exc)
    finally:
        connections.close_all()
