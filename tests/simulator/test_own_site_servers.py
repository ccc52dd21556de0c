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
