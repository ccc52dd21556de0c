"""Scenario files: a teacher writes one, students load it; every mistake names file and key."""

from __future__ import annotations

import pytest

from simulator.errors import ScenarioError, shown_path
from simulator.files.scenario_file import ScenarioFile, load_scenario_file, save_scenario_file
from simulator.scenario import Scenario

SLOW = Scenario(view="sync_io", mode="wsgi", workers=2, requests=12, io_ms=150.5, cpu_ms=3)
FAST = Scenario(
    view="async_fanout",
    fanout=4,
    arrival_ms=2.5,
    middleware="sync",
    upstream_url='http://127.0.0.1:8123/slow?x="1"',
)
TRICKY_TITLE = 'Lesson "1": C:\\temp\tand a\nnew line ☃ 😀 del\x7f'


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize(
    "file",
    [
        ScenarioFile(None, SLOW, None),
        ScenarioFile("One worker against ASGI", SLOW, FAST),
        ScenarioFile(TRICKY_TITLE, FAST, Scenario()),
    ],
    ids=["single", "a-b", "tricky-title"],
)
def test_a_saved_file_loads_back_the_same(tmp_path, suffix, file):
    path = tmp_path / f"lesson{suffix}"
    save_scenario_file(path, file)
    assert load_scenario_file(path) == file


def test_saved_toml_is_plain_and_spells_out_every_dial(tmp_path):
    path = tmp_path / "lesson.toml"
    save_scenario_file(path, ScenarioFile("Queueing", SLOW, None))
    assert path.read_text(encoding="utf-8") == (
        'title = "Queueing"\n'
        "\n"
        "[scenario]\n"
        'view = "sync_io"\n'
        'mode = "wsgi"\n'
        "workers = 2\n"
        "requests = 12\n"
        "io_ms = 150.5\n"
        "cpu_ms = 3.0\n"
        "arrival_ms = 0.0\n"
        "concurrency = 0\n"
        "fanout = 1\n"
        'middleware = "async"\n'
        'worker_class = "sync"\n'
        "threads = 1\n"
    )


def test_a_hand_written_comparison_loads_with_defaults_for_what_it_leaves_out(tmp_path):
    path = tmp_path / "lesson.toml"
    path.write_text(
        'title = "Why one worker is not enough"\n'
        "[a]\n"
        'view = "sync_io"\n'
        'mode = "wsgi"\n'
        "requests = 8.0\n"
        "io_ms = 200\n"
        "[b]\n",
        encoding="utf-8",
    )
    loaded = load_scenario_file(path)
    assert loaded.title == "Why one worker is not enough"
    assert loaded.a == Scenario(view="sync_io", mode="wsgi", requests=8, io_ms=200.0)
    assert type(loaded.a.requests) is int and type(loaded.a.io_ms) is float
    assert loaded.b == Scenario()
    assert loaded.is_comparison


def test_a_json_file_has_the_same_shape(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text('{"scenario": {"view": "async_io", "requests": 3, "upstream_url": null}}')
    assert load_scenario_file(path) == ScenarioFile(None, Scenario(view="async_io", requests=3))


BROKEN = [
    # (id, file name, content, fragments the message must hold)
    ("missing", "gone.toml", None, ["gone.toml", "no such file"]),
    ("not-utf8", "bin.toml", b"\xff\xfe[a]\n", ["bin.toml", "not a text file"]),
    ("bad-suffix", "lesson.yaml", "a: 1\n", ["lesson.yaml", "must end in .toml or .json"]),
    ("bad-toml", "l.toml", "[a]\nview =\n", ["l.toml", "not valid TOML", "line 2"]),
    (
        "bad-json",
        "l.json",
        '{\n  "a": {\n    "view": "sync_io",\n  }\n}\n',
        ["l.json", "not valid JSON", "line 4"],
    ),
    ("json-list", "l.json", "[1, 2]\n", ["l.json", "must hold an object"]),
    ("empty", "l.toml", 'title = "x"\n', ["l.toml", "neither [scenario] nor [a]"]),
    ("b-without-a", "l.toml", '[b]\nview = "sync_io"\n', ["has [b] but no [a]"]),
    ("scenario-and-a", "l.toml", "[scenario]\n[a]\n", ["both [scenario] and [a]"]),
    ("unknown-table", "l.toml", "[a]\n[c]\n", ["unknown table or key 'c'"]),
    (
        "unknown-key",
        "l.toml",
        "[a]\nio_msec = 3\n",
        ["l.toml", "unknown key 'a.io_msec'", "allowed keys:", "io_ms"],
    ),
    (
        "words-for-a-count",
        "l.toml",
        '[a]\nrequests = "ten"\n',
        ["l.toml", "a.requests must be a whole number, not 'ten'"],
    ),
    (
        "fraction-for-a-count",
        "l.toml",
        "[a]\n[b]\nworkers = 2.5\n",
        ["b.workers must be a whole number, not 2.5"],
    ),
    (
        "infinite-count",
        "l.toml",
        "[a]\nrequests = inf\n",
        ["a.requests must be a whole number, not inf"],
    ),
    ("bool-for-a-time", "l.toml", "[a]\nio_ms = true\n", ["a.io_ms must be a number, not true"]),
    (
        "string-for-a-time",
        "l.json",
        '{"a": {"cpu_ms": "5"}}',
        ["a.cpu_ms must be a number, not '5'"],
    ),
    (
        "null-for-a-count",
        "l.json",
        '{"a": {"requests": null}}',
        ["a.requests must be a whole number, not null"],
    ),
    ("number-for-a-name", "l.toml", "[a]\nview = 3\n", ["a.view must be text in quotes, not 3"]),
    (
        "out-of-range",
        "l.toml",
        "[scenario]\nio_ms = 20000\n",
        ["l.toml", "scenario.io_ms must be between 0 and 10000, not 20000"],
    ),
    ("unknown-view", "l.toml", '[b]\n[a]\nview = "nope"\n', ["a.view: unknown view 'nope'"]),
    ("unknown-mode", "l.toml", '[a]\n[b]\nmode = "cgi"\n', ["b.mode: unknown mode 'cgi'"]),
    ("table-is-a-number", "l.toml", "a = 5\n", ["a must be a table [a]"]),
    ("title-is-a-number", "l.toml", "title = 5\n[a]\n", ["title must be text"]),
]


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_each_broken_file_says_what_is_wrong_and_where(tmp_path, name, content, fragments):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path)
    message = str(caught.value)
    assert message.startswith(shown_path(path) + ": ")  # (a long path: its end)
    for fragment in fragments:
        assert fragment in message


def test_broken_files_get_different_messages(tmp_path):
    messages = set()
    for case_id, name, content, _ in BROKEN:
        path = tmp_path / case_id / name
        path.parent.mkdir()
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
        with pytest.raises(ScenarioError) as caught:
            load_scenario_file(path)
        messages.add(str(caught.value).removeprefix(shown_path(path)))
    assert len(messages) == len(BROKEN)


def test_saving_where_no_file_can_be_written_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot write the file"):
        save_scenario_file(tmp_path / "no" / "such" / "dir.toml", ScenarioFile(None, SLOW))
    with pytest.raises(ScenarioError, match="must end in .toml or .json"):
        save_scenario_file(tmp_path / "lesson.txt", ScenarioFile(None, SLOW))
    assert list(tmp_path.iterdir()) == []


def test_a_file_for_predict_takes_the_models_ranges_and_a_run_keeps_its_own(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text('[scenario]\nview = "async_io"\nrequests = 20000\n')
    assert load_scenario_file(path, model=True).a.requests == 20_000
    with pytest.raises(ScenarioError, match="between 1 and 10000, not 20000"):
        load_scenario_file(path)
