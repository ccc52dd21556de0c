"""Outputs are whole or untouched: a full disk or a crash mid-write never leaves half a file
where a good one was, and two writers of one path never interleave."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from simulator.files import atomic
from simulator.files.atomic import write_text_atomically


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "run.csv"
    target.write_text("the good run\n")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomically(target, "x" * 100_000)
    assert target.read_text() == "the good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


def test_two_writers_of_one_path_leave_one_whole_file(tmp_path):
    target = tmp_path / "run.csv"
    texts = [f"{i}\n" * 200_000 for i in range(2)]
    writers = [threading.Thread(target=write_text_atomically, args=(target, t)) for t in texts]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert target.read_text() in texts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


def test_a_new_file_gets_the_usual_permissions_and_an_old_one_keeps_its_own(tmp_path):
    fresh = tmp_path / "fresh.json"
    write_text_atomically(fresh, "{}\n")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o600)
    write_text_atomically(kept, "new")
    assert kept.read_text() == "new" and kept.stat().st_mode & 0o777 == 0o600
