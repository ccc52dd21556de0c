"""Files that are not files (issue 25): every path read is a regular file of bounded size or
one line, never a hang; every name the file system takes is writable; a pipe nobody reads
fails within its deadline."""

from __future__ import annotations

import os
import sys
import time

import pytest

from simulator.errors import ScenarioError, shown_path
from simulator.files import atomic
from simulator.files.atomic import write_text_atomically
from simulator.files.reading import MAX_FILE_BYTES, read_small_file

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev")


@posix_only
def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "s.toml")
    started = time.monotonic()
    with pytest.raises(ScenarioError, match="s.toml: is not a regular file"):
        read_small_file(tmp_path / "s.toml")
    assert time.monotonic() - started < 1.0


@posix_only
def test_an_endless_device_and_a_folder_are_refused(tmp_path):
    (tmp_path / "zero").symlink_to("/dev/zero")
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_small_file(tmp_path / "zero")
    with pytest.raises(ScenarioError, match="is a folder"):
        read_small_file(tmp_path)


def test_a_file_over_the_limit_is_refused_and_one_at_it_is_read(tmp_path):
    (tmp_path / "big.toml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioError, match="larger than"):
        read_small_file(tmp_path / "big.toml")
    (tmp_path / "ok.toml").write_bytes(b"#" * MAX_FILE_BYTES)
    assert len(read_small_file(tmp_path / "ok.toml")) == MAX_FILE_BYTES


def test_a_long_name_the_file_system_takes_is_written(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    name = "r" * (limit - 5) + ".json"
    write_text_atomically(tmp_path / name, "{}")
    assert (tmp_path / name).read_text() == "{}"
    assert os.listdir(tmp_path) == [name]  # no temporary sibling left


@posix_only
def test_a_fifo_nobody_reads_fails_within_its_deadline(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "IN_PLACE_DEADLINE_S", 0.3)
    os.mkfifo(tmp_path / "out.json")
    started = time.monotonic()
    with pytest.raises(OSError, match="nothing read it within 0.3 s"):
        write_text_atomically(tmp_path / "out.json", "{}")
    assert time.monotonic() - started < 2.0
    assert (tmp_path / "out.json").is_fifo()  # never replaced by a file


def test_a_path_is_quoted_on_one_line_by_its_end_keeping_the_file_s_name():
    folder = "/srv/" + "d" * 60 + "/"
    for name in ("a.toml", "ab.toml", "abc.toml"):  # 79, 80 and 81 characters
        path = folder + name
        shown = shown_path(path)
        assert len(shown) <= 80 and shown.endswith("/" + name)
        assert shown == path if len(path) <= 80 else shown.startswith("...")
    # A newline is legal in a file's name: the message stays one line.
    assert shown_path("/tmp/x\nevil.toml") == "/tmp/x?evil.toml"
