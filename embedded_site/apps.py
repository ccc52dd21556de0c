from __future__ import annotations

import time

from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


def _database_sleep(ms: float | None) -> float:
    """SQL function ``lanes_sleep(ms)``: the database takes ``ms`` to answer.

    Measured here, inside SQLite, so the trace shows the thread that really runs the query,
    whichever API (sync or async ORM) sent it.
    """
    from .instrumentation import measured

    with measured("io_blocking"):
        time.sleep(max(0.0, float(ms or 0)) / 1000)
    return float(ms or 0)


def _register_sql_functions(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("lanes_sleep", 1, _database_sleep)


class LessonsConfig(AppConfig):
    """The lesson site: its views, its one model and its instrumentation."""

    name = "embedded_site"
    label = "lessons"
    verbose_name = "Async lanes lessons"

    def ready(self) -> None:
        from .instrumentation import on_request_signal

        connection_created.connect(_register_sql_functions, dispatch_uid="lanes_sql_functions")
        request_started.connect(on_request_signal, dispatch_uid="lanes_request_started")
        request_finished.connect(on_request_signal, dispatch_uid="lanes_request_finished")
