"""simulator/hosting keeps httpx's command-line client (click, rich, Pygments' lexers) from
loading with httpx: checked in fresh processes against the httpx installed, so an httpx that
no longer guards that import (httpx would not import at all) or no longer makes it (the line
is dead) is caught here."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
{before}
import httpx
with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text="ok"))) as c:
    text = c.get("http://lanes.test/").text
print(json.dumps({{
    "text": text,
    "cli": sys.modules.get("httpx._main") is not None,
    "main": type(httpx.main).__name__,
    "loaded": sorted(m for m in ("click", "rich", "pygments.lexers") if m in sys.modules),
}}))
"""


def _probe(before: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(before=before)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_httpx_imports_and_works_without_its_command_line_client():
    seen = _probe("import simulator.hosting")
    assert seen["text"] == "ok"
    assert not seen["cli"] and seen["main"] == "function"  # httpx's stub for an absent CLI
    assert seen["loaded"] == []  # none of the CLI's imports came with it


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("click") is None, reason="without click the CLI never loads"
)
def test_without_the_line_httpx_would_still_load_its_command_line_client():
    seen = _probe("")
    assert seen["cli"] and seen["main"] == "Command"  # click's
    assert "click" in seen["loaded"]
