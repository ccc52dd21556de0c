"""The window says what a segment is in the trace's own words (legend and hover alike)."""

from __future__ import annotations

from app.theme import DARK, KIND_LABELS, LEGEND_KINDS, LIGHT
from simulator.trace import FAILED_LABEL, Kind
from simulator.trace import KIND_LABELS as TRACE_LABELS


def test_the_legend_labels_are_the_traces_and_every_kind_has_a_colour():
    for kind in Kind:
        assert KIND_LABELS[kind] == TRACE_LABELS[kind]
        for theme in (LIGHT, DARK):
            assert theme.kinds[kind.value] == theme.kinds[kind]
    assert KIND_LABELS["error"] == FAILED_LABEL
    assert LEGEND_KINDS == (
        "queued",
        "framework",
        "cpu",
        "gil_wait",
        "core_wait",
        "io_wait",
        "io_blocking",
        "thread_hop",
        "client",
        "server",
        "view",
        "sql",
        "server_timing",
        "error",
        "cancelled",
    )


def test_every_kind_is_drawn():
    from app.timeline.rows import DRAW_ORDER

    assert set(DRAW_ORDER) == {kind.value for kind in Kind}
