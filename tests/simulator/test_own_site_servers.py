"""``--url`` to a fresh ``startproject`` site under real uvicorn and gunicorn: the
copy-this-file middleware draws the view under ASGI and WSGI, sync and async views alike."""

from __future__ import annotations

import json

import pytest

from simulator.server_extra import missing_server
from tests.simulator.fresh_site import OUR_MIDDLEWARE, cli, make_site, served

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        missing_server("uvicorn") is not None or missing_server("gunicorn") is not None,
        reason="the servers extra (uvicorn, gunicorn) is not installed",
    ),
]


def _ms(request: dict, kind: str) -> float:
    return sum(s["end_ms"] - s["start_ms"] for s in request["segments"] if s["kind"] == kind)


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_the_copied_middleware_draws_sync_and_async_views_as_view(tmp_path, server):
    site = make_site(tmp_path / "site", extra_settings=OUR_MIDDLEWARE)
    with served(site, server) as port:
        for path in ("slow", "aslow"):
            out = tmp_path / f"{path}.json"
            done = cli(
                "run", "--url", f"http://127.0.0.1:{port}/{path}/", "--requests", "2",
                "--json", str(out),
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            data = json.loads(out.read_text())
            assert data["summary"]["ok"] == 2, (server, path)
            for request in data["requests"]:
                # The view's 100 ms wait is drawn as the view, not as Django's framework
                # (under ASGI the async hook once called itself and the view was lost).
                assert _ms(request, "view") >= 90, (server, path, request["segments"])
                assert _ms(request, "framework") < _ms(request, "view"), (server, path)


SITE_TIMING = """
def timing(get_response):
    def middleware(request):
        response = get_response(request)
        response["Server-Timing"] = "db;dur=53, app;dur=47.2"
        return response
    return middleware
"""


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_a_sites_own_server_timing_becomes_named_segments(tmp_path, server):
    site = make_site(
        tmp_path / "site",
        extra_settings='\nMIDDLEWARE = ["mysite.timing.timing", *MIDDLEWARE]\n',
        files={"timing.py": SITE_TIMING},
    )
    with served(site, server) as port:
        out = tmp_path / "run.json"
        done = cli(
            "run", "--url", f"http://127.0.0.1:{port}/slow/", "--requests", "4",
            "--json", str(out),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["summary"]["ok"] == 4
    for request in data["requests"]:
        timed = [s for s in request["segments"] if s["kind"] == "server_timing"]
        assert [s["name"] for s in timed] == ["db", "app"], (server, request["segments"])
        db, app = timed
        # Laid end to end in header order, each as long as the header says (the view's
        # 100 ms wait leaves room for both).
        assert db["end_ms"] == app["start_ms"]
        assert db["end_ms"] - db["start_ms"] == pytest.approx(53, abs=0.01)
        assert app["end_ms"] - app["start_ms"] == pytest.approx(47.2, abs=0.01)
        assert "name" not in request["segments"][0]  # only these segments carry a name
