"""Settings for the embedded lesson site.

Production-like on purpose: DEBUG is off, hosts are limited, and the secret key is made anew at
every start, so the lanes show what a deployed site would do rather than the debug toolbar's
extra work.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key

from embedded_site.scratch import scratch_folder_name

BASE_DIR = Path(__file__).resolve().parent

# A throw-away key: nothing this site signs outlives the process.
SECRET_KEY = get_random_secret_key()
DEBUG = False
# The in-process servers present themselves as site.local; served standalone (uvicorn,
# gunicorn on loopback) the site answers to 127.0.0.1 and localhost. The timing middleware
# asks every request for its host, so anything else is a 400. LANES_ALLOWED_HOSTS (comma
# separated) replaces the list.
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("LANES_ALLOWED_HOSTS", "site.local,127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    # What startproject's middleware stack needs (the "django" middleware choice).
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "embedded_site.apps.LessonsConfig",
]

# The timing middleware comes first so that it sees every other layer. The default stack is
# truly async-capable: Django's own MiddlewareMixin classes (CommonMiddleware and friends)
# would each add two sync_to_async hand-offs per request under ASGI.
_TIMING = ["embedded_site.middleware.lane_timing_middleware"]

#: The stacks the host may choose from (``--middleware``). "sync" adds an old-style,
#: sync-only middleware, which Django must adapt with thread hand-offs under ASGI.
LANES_MIDDLEWARE_STACKS = {
    "async": _TIMING,
    "sync": [*_TIMING, "embedded_site.middleware.SyncOnlyMiddleware"],
    # startproject's stack: its seven MiddlewareMixin classes (Security, Session, Common,
    # Csrf, Authentication, Messages, Clickjacking), each Django's own with its hooks marked
    # (embedded_site.startproject): under ASGI each hook runs through sync_to_async, so
    # every async view pays their hand-offs, and the marks let the lanes draw them.
    "django": [
        *_TIMING,
        "embedded_site.startproject.MarkedSecurityMiddleware",
        "embedded_site.startproject.MarkedSessionMiddleware",
        "embedded_site.startproject.MarkedCommonMiddleware",
        "embedded_site.startproject.MarkedCsrfViewMiddleware",
        "embedded_site.startproject.MarkedAuthenticationMiddleware",
        "embedded_site.startproject.MarkedMessageMiddleware",
        "embedded_site.startproject.MarkedXFrameOptionsMiddleware",
    ],
}
# Served standalone, LANES_MIDDLEWARE chooses the stack (the engine sets it for --middleware).
MIDDLEWARE = LANES_MIDDLEWARE_STACKS.get(os.environ.get("LANES_MIDDLEWARE", "async"), _TIMING)

ROOT_URLCONF = "embedded_site.urls"
ASGI_APPLICATION = "embedded_site.asgi.application"
WSGI_APPLICATION = "embedded_site.wsgi.application"

# A fresh database per process, its folder made when first opened (embedded_site.db) and
# removed at exit (see embedded_site.scratch): runs never see each other's rows. The command
# line removes it itself when a second Ctrl+C quits at once.
LANES_SCRATCH_DIR = scratch_folder_name()
DATABASES = {
    "default": {
        "ENGINE": "embedded_site.db",  # SQLite, noting connections per request
        "NAME": LANES_SCRATCH_DIR / "lessons.sqlite3",
        # Many sync views may read at once; let SQLite wait for its lock instead of failing.
        "OPTIONS": {"timeout": 60},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"

# Where the httpx views fetch from. The engine points this at the slow upstream it starts;
# served standalone, set LANES_UPSTREAM_URL (the engine does, for uvicorn and gunicorn).
LANES_UPSTREAM_URL = os.environ.get("LANES_UPSTREAM_URL", "http://127.0.0.1:9/")
# Unless set (the engine does when the person running it allowed the host), every upstream
# call checks that its host resolves to this machine only, and goes to that address.
LANES_UPSTREAM_ANY_HOST = os.environ.get("LANES_UPSTREAM_ANY_HOST") == "1"


# The longest an upstream call may take in all (a trickling upstream passes every per-read
# timeout), and the most bytes its answer may have (embedded_site.work.fetch). Each read may
# take as long (an upstream that never answers fails at the deadline, saying "no answer in
# 40 s"). LANES_UPSTREAM_DEADLINE in the environment shortens it (the hostile tests do).
def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if 0 < value <= 3600 else default  # nan and inf fail both


LANES_UPSTREAM_DEADLINE = _seconds("LANES_UPSTREAM_DEADLINE", 40.0)
LANES_UPSTREAM_TIMEOUT = LANES_UPSTREAM_DEADLINE
LANES_UPSTREAM_MAX_BYTES = 1_000_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        # Errors a view raises belong in the trace, not on the console.
        "lane_errors": {"class": "embedded_site.lane_errors.LaneErrorHandler"},
    },
    "loggers": {
        "django.request": {"handlers": ["lane_errors"], "level": "ERROR", "propagate": False},
    },
}
