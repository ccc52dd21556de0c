"""One dial table, one reader: a value means the same, and a mistake reads the same, whether it
comes from Python, a scenario file or the command line."""

from __future__ import annotations

import json

import pytest

from simulator.dials import DIALS, LIMITS, DialKind, parse_dial
from simulator.errors import ScenarioError, shown_path
from simulator.files.scenario_file import load_scenario_file
from simulator.scenario import Scenario
from simulator.trace import HOLDS_THREAD, KIND_LABELS, KINDS, Kind


def test_the_table_lists_every_scenario_field_in_order():
    import dataclasses

    assert list(DIALS) == [f.name for f in dataclasses.fields(Scenario)]
    assert LIMITS["workers"] == (1, 256) and LIMITS["io_ms"] == (0, 10_000)
    assert {k for k, d in DIALS.items() if d.kind is DialKind.WHOLE} == {
        "requests",
        "workers",
        "fanout",
        "threads",
        "concurrency",
    }


@pytest.mark.parametrize(
    ("key", "value", "from_text", "expected"),
    [
        ("requests", 8.0, False, 8),
        ("requests", "8", True, 8),
        ("io_ms", 200, False, 200.0),
        ("io_ms", "30ms", True, 30.0),
        ("view", "sync_io", False, "sync_io"),
        ("upstream_url", None, False, None),
        ("upstream_url", "none", True, None),
        ("upstream_url", "http://x", True, "http://x"),
    ],
)
def test_a_value_is_read_into_the_dials_type(key, value, from_text, expected):
    parsed = parse_dial(key, value, from_text=from_text)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("requests", 0, "requests must be between 1 and 10000, not 0"),
        ("requests", 2.5, "requests must be a whole number, not 2.5"),
        ("io_ms", True, "io_ms must be a number, not true"),
        ("io_ms", float("nan"), "io_ms must be a finite number, not nan"),
        ("mode", "cgi", "unknown mode 'cgi'; choose one of: asgi, wsgi"),
        ("view", 3, "view must be text in quotes, not 3"),
        ("upstream_url", "ftp://x", "upstream_url must start with http:// or https://"),
        ("io_msec", 3, "unknown key 'io_msec'; allowed keys: arrival_ms"),
    ],
)
def test_every_mistake_names_its_key(key, value, message):
    with pytest.raises(ScenarioError) as caught:
        parse_dial(key, value)
    assert message in str(caught.value)
    assert caught.value.key == key
    # Where a file holds the dial, the key is spelled table.key: no message is parsed for it.
    located = caught.value.within("a")
    assert located.key == f"a.{key}"
    assert f"a.{key}" in str(located)


def test_scenario_python_files_and_the_command_line_refuse_alike(tmp_path):
    with pytest.raises(ScenarioError) as in_python:
        Scenario(io_ms=20_000)
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"scenario": {"io_ms": 20_000}}))
    with pytest.raises(ScenarioError) as in_file:
        load_scenario_file(path)
    with pytest.raises(ScenarioError) as as_text:
        parse_dial("io_ms", "20000", from_text=True)
    assert (
        str(in_python.value) == str(as_text.value) == "io_ms must be between 0 and 10000, not 20000"
    )
    assert str(in_file.value) == f"{shown_path(path)}: scenario.{in_python.value}"
    assert in_file.value.key == "scenario.io_ms"


def test_an_error_about_no_one_dial_has_no_key(tmp_path):
    path = tmp_path / "l.toml"
    path.write_text("[b]\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path)
    assert caught.value.key is None


def test_kinds_keep_the_strings_the_exports_write_and_each_has_a_label():
    assert [str(kind) for kind in KINDS] == [
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
        "cancelled",
    ]
    assert json.dumps(Kind.IO_WAIT) == '"io_wait"'
    assert set(KIND_LABELS) == set(Kind)
    assert HOLDS_THREAD == {
        Kind.FRAMEWORK,
        Kind.CPU,
        Kind.GIL_WAIT,
        Kind.CORE_WAIT,
        Kind.IO_BLOCKING,
        Kind.SQL,
    }
