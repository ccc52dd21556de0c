"""SQLite, as Django ships it, plus a note on the request's probe when a connection opens or
closes; and the site's scratch folder made before the first connection opens
(``embedded_site.scratch.made``).

Django keeps one database connection per thread, so 200 sync views under ASGI (200 threads)
hold 200 connections at once, and a WSGI site with 4 workers at most 4. The lesson on
connections needs that count measured, not told: this backend records each open and close on
the probe of the request that caused it (see ``RequestProbe.db_events``), and the run's
``db_connections_peak`` figure is built from them. Outside a probed request (migrations,
warm-up) it records nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from embedded_site.instrumentation import current_probe
from embedded_site.scratch import made

__all__ = ["DatabaseWrapper"]


def _note(delta: int) -> None:
    probe = current_probe.get()
    if probe is not None:
        probe.db_events.append((time.perf_counter_ns(), delta))
        probe.touch()


class DatabaseWrapper(SQLiteDatabaseWrapper):
    """Django's SQLite wrapper; opening and closing a connection is noted on the request."""

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        folder = getattr(settings, "LANES_SCRATCH_DIR", None)
        if folder is not None:  # (the site's own settings: its folder, made on first use)
            made(folder)
        connection = super().get_new_connection(conn_params)
        _note(+1)
        return connection

    def close(self) -> None:
        was_open = self.connection is not None
        super().close()
        if was_open and self.connection is None:
            _note(-1)
