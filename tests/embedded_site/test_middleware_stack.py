"""Each middleware stack gets a handler of its own, built with ``settings.MIDDLEWARE`` set to
that stack and put back after, without Django's test package in the run's process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.handlers.base import BaseHandler

import embedded_site
from embedded_site.asgi import application_with
from embedded_site.wsgi import application_with as wsgi_application_with


def test_each_stack_builds_its_own_handler_and_puts_the_setting_back(monkeypatch):
    read: list[list[str]] = []  # what Django read as MIDDLEWARE when it built each handler
    load = BaseHandler.load_middleware

    def reading(handler: BaseHandler, is_async: bool = False) -> None:
        read.append(list(settings.MIDDLEWARE))
        load(handler, is_async)

    monkeypatch.setattr(BaseHandler, "load_middleware", reading)
    before = list(settings.MIDDLEWARE)
    for name, stack in settings.LANES_MIDDLEWARE_STACKS.items():
        for build in (application_with, wsgi_application_with):
            read.clear()
            assert build(name) is not None
            assert read == [list(stack)], (name, build)
            assert list(settings.MIDDLEWARE) == before
    assert len({tuple(stack) for stack in settings.LANES_MIDDLEWARE_STACKS.values()}) > 1


def test_the_setting_is_put_back_when_building_fails():
    before = list(settings.MIDDLEWARE)
    try:
        with embedded_site.middleware_stack("sync"):
            assert list(settings.MIDDLEWARE) == list(settings.LANES_MIDDLEWARE_STACKS["sync"])
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert list(settings.MIDDLEWARE) == before


@pytest.mark.slow
def test_a_run_does_not_import_djangos_test_package():
    probe = (
        "import json, sys\n"
        "from simulator.hosting.engine import run_scenario\n"
        "from simulator.scenario import Scenario\n"
        "run_scenario(Scenario(view='async_io', requests=2, io_ms=1, cpu_ms=0))\n"
        "print(json.dumps(sorted(m for m in ('django.test', 'unittest') if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []
