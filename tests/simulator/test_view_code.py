"""The code panel's text: a view as a Django developer writes it, and where its lines went."""

from __future__ import annotations

from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario
from simulator.view_code import developer_source, view_code

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
