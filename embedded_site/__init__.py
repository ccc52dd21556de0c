"""A small, ordinary Django project whose views are the lessons of Django Async Lanes.

It is hosted in-process by :mod:`simulator`, which measures it; nothing here knows who
hosts it. :func:`boot` is the one entry point a host needs before importing
``embedded_site.asgi`` or ``embedded_site.wsgi``.
"""

from __future__ import annotations

import os

__all__ = ["boot"]


def boot() -> None:
    """Configure Django for this project, once per process, and bring the database up to date.

    Safe to call again: later calls do nothing. Migrations run on every start because the
    database is a fresh SQLite file in a temporary folder (see ``settings.DATABASES``).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedded_site.settings")
    import django
    from django.apps import apps

    if apps.ready:
        return
    django.setup(set_prefix=False)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
