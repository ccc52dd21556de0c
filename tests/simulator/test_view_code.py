"""The code panel's text: a view as a Django developer writes it, and where its lines went."""

from __future__ import annotations

import inspect
import subprocess
import sys

from simulator.catalog import lesson_views
from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.view_code import developer_source, view_code, view_lines

SOURCE = """async def v(request):
    dials = Dials.from_request(request)
    with measured("io_wait"):
        await asyncio.sleep(dials.io_s)
    burn_cpu(dials.cpu_ms)
    return page("v", dials)
"""


def test_the_measuring_lines_are_gone_and_their_bodies_dedented():
    code = developer_source(SOURCE, 10)
    assert "measured" not in code.text
    assert "\n    await asyncio.sleep(dials.io_s)\n" in code.text
    # The with line and its body both point at the await (shown line 3).
    assert code.line_for(12) == code.line_for(13) == 3
    assert code.line_for(14) == 4 and code.line_for(99) is None


def test_a_measured_segment_knows_the_line_of_its_await_and_its_cpu():
    run = run_scenario(Scenario(view="async_io", requests=1, io_ms=20, cpu_ms=5))
    (lane,) = run.trace.lanes
    code = view_code("async_io")
    shown = code.text.splitlines()
    lines = {seg.kind: code.line_for(seg.line) for seg in lane.segments if seg.line}
    assert shown[lines["io_wait"] - 1].strip() == "await asyncio.sleep(dials.io_s)"
    assert shown[lines["cpu"] - 1].strip() == "burn_cpu(dials.cpu_ms)"


def test_every_view_s_lines_are_those_of_its_function_read_without_django():
    """The code panel reads a view from ``views.py`` as text: the very lines and first line
    ``inspect`` gives for the function the site serves under that name, for every view."""
    import embedded_site

    embedded_site.boot()
    from embedded_site.urls import VIEW_FUNCTIONS

    for name in lesson_views():
        assert view_lines(name) == inspect.getsourcelines(VIEW_FUNCTIONS[name])


def test_the_code_panel_s_text_boots_no_django():
    """The window's process shows a view's code without Django (the site runs elsewhere)."""
    code = (
        "import sys; from simulator.view_code import view_code; view_code('sync_orm'); "
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
