"""Fuzzing the scenario-file and dial parsers: for any input, one line and exit 2, or a valid
scenario (issue 12, class 6). Nothing else: no traceback, no second line, no other code."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli.dial_strings import parse_dials
from app.cli.main import main as cli_main
from simulator.dials import DIALS, parse_dial
from simulator.errors import ScenarioError, shown_path
from simulator.files.scenario_file import ScenarioFile, load_scenario_file
from simulator.scenario import Scenario

KEYS = [*DIALS, "title", "scenario", "a", "b", "IO_MS", "io-ms", ""]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["sync_io", "async_io", "wsgi", "asgi", "sync", "http://127.0.0.1:1/"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=20,
)
tables = st.dictionaries(st.sampled_from(list(DIALS)), values, max_size=6)
documents = (
    st.dictionaries(st.sampled_from(KEYS), st.one_of(tables, values), max_size=4)
    | st.fixed_dictionaries({"scenario": tables})
    | st.fixed_dictionaries({"a": tables, "b": tables})
)


def _valid(file: ScenarioFile) -> None:
    """A scenario that came out is one every reader accepts again, unchanged."""
    for scenario in (file.a, file.b):
        if scenario is not None:
            assert Scenario.from_dict(scenario.to_dict()) == scenario
            for key in DIALS:
                value = getattr(scenario, key)
                if isinstance(value, float):
                    assert math.isfinite(value)


def _load(path: Path) -> None:
    try:
        file = load_scenario_file(path)
    except ScenarioError as exc:
        message = str(exc)  # (a long path quoted by its end, as every message quotes one)
        assert "\n" not in message and message.startswith(shown_path(path) + ": ")
    else:
        _valid(file)


def _json_text(data: object) -> str:
    return json.dumps(data, allow_nan=True)


def _toml_text(data: dict) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):
        return None  # not TOML-shaped (null, nested lists of tables): the text case covers it


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow
@FUZZ
@given(data=documents)
def test_any_json_document_is_a_scenario_or_one_line(data, tmp_path):
    path = tmp_path / "fuzz.json"
    path.write_text(_json_text(data))
    _load(path)


@pytest.mark.slow
@FUZZ
@given(data=documents)
def test_any_toml_document_is_a_scenario_or_one_line(data, tmp_path):
    text = _toml_text(data)
    if text is None:
        return
    path = tmp_path / "fuzz.toml"
    path.write_text(text)
    _load(path)


@FUZZ
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".toml", ".json"]))
def test_any_bytes_are_a_scenario_or_one_line(raw, suffix, tmp_path):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw)
    _load(path)


@FUZZ
@given(text=st.text(max_size=80))
def test_any_dial_string_is_a_scenario_or_one_line(text):
    try:
        scenario = parse_dials(text)
    except ScenarioError as exc:
        assert "\n" not in str(exc)
    else:
        assert Scenario.from_dict(scenario.to_dict()) == scenario


@FUZZ
@given(key=st.sampled_from(list(DIALS)), value=values, from_text=st.booleans())
def test_any_dial_value_is_accepted_in_range_or_refused_in_one_line(key, value, from_text):
    if from_text and not isinstance(value, str):
        value = str(value)
    try:
        parsed = parse_dial(key, value, from_text=from_text)
    except ScenarioError as exc:
        assert "\n" not in str(exc) and exc.key == key
    else:
        assert parse_dial(key, parsed) == parsed


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=documents)
def test_the_command_line_exits_2_with_one_line_or_predicts(data, tmp_path_factory, capsys):
    """Through the command line (``predict``: no run, no Django): 0, or 2 and one line."""
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.json"
    path.write_text(_json_text(data))
    try:
        code = cli_main(["predict", "--scenario", str(path), "--requests", "1"])
    except SystemExit as exc:  # argparse: only for bad flags, which these are not
        pytest.fail(f"argparse exited {exc.code}")
    err = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and "error:" in err
