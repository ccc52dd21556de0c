"""The command line's outputs: stdout lines, one-line errors, and the files a run is written
to (JSON, CSV, Chrome trace, pictures), checked before a run and written after it.

Pictures need Qt: :mod:`app.slides.export` is imported only when one is written, so a run
without ``--png``/``--svg``/``--pdf`` never loads Qt.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.text_clean import terminal_safe
from simulator.errors import LanesError, shown_path

from .exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from simulator.trace import Run

__all__ = [
    "PICTURE_FLAGS",
    "OutputProblem",
    "check_outputs",
    "error",
    "output_path",
    "outputs_asked",
    "picture_writer",
    "say",
    "write_outputs",
]

#: The picture flags and the suffix each one's file must have.
PICTURE_FLAGS = {"png": ".png", "svg": ".svg", "pdf": ".pdf"}

#: Writes one output to the path it is given.
Writer = Callable[[Path], None]


def error(message: str) -> None:
    """One line on stderr, as every mistake gets (whatever stderr can carry)."""
    line = terminal_safe(f"async-lanes: error: {' '.join(message.split())}")
    try:
        print(line, file=sys.stderr)
    except UnicodeEncodeError:
        encoding = getattr(sys.stderr, "encoding", None) or "ascii"
        with contextlib.suppress(OSError, ValueError):
            print(line.encode(encoding, "replace").decode(encoding), file=sys.stderr)
    except (OSError, ValueError):
        pass


def say(text: str = "") -> None:
    """Print to stdout; if the reader has gone (``| head``), or stdout cannot carry a
    character (a non-UTF-8 terminal), go on: files still get written, no traceback.
    Control characters (a lesson title's ESC or BEL) never reach the terminal."""
    text = terminal_safe(text)
    try:
        print(text, flush=True)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        with contextlib.suppress(OSError, ValueError):
            print(text.encode(encoding, "replace").decode(encoding), flush=True)
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    except (OSError, ValueError):  # stdout closed or full: the files matter more
        pass


def outputs_asked(args: Any, names: Sequence[str]) -> list[tuple[str, Path]]:
    """The ``(flag, path)`` of every output asked for, in ``names`` order; a name that
    names no file (``--json ''``, ``--png .png``) is refused."""
    return [
        (name, output_path(name, value))
        for name in names
        if (value := getattr(args, name, None)) is not None
    ]


def output_path(name: str, value: str) -> Path:
    """``--name value`` as a path, if it names a file: not empty, not a folder's name, and
    more than a suffix (``.png`` is a hidden file named "png", never what was meant)."""
    path = Path(value)
    suffix = PICTURE_FLAGS.get(name, f".{name}")
    if not value.strip() or path.name in ("", ".", "..") or value.endswith(("/", os.sep)):
        raise OutputProblem(f"--{name} needs a file name, e.g. lanes{suffix}", EXIT_USAGE)
    if path.name.lower() == suffix:
        raise OutputProblem(
            f"--{name} {shown_path(value)} is only a suffix; give the file a name, "
            f"e.g. lanes{suffix}",
            EXIT_USAGE,
        )
    return path


class OutputProblem(Exception):
    """An output that cannot be written; ``code`` is the exit code it deserves."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _same_file(one: Path, other: Path) -> bool:
    """Whether two paths name one file (the same spelling, a link, ``./x`` and ``x``)."""
    if os.path.realpath(one) == os.path.realpath(other):
        return True
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def check_outputs(
    outputs: Sequence[tuple[str, Path]], inputs: Sequence[tuple[str, str | None]] = ()
) -> None:
    """Refuse, before a run that may take minutes, what could never be written afterwards,
    and outputs that would overwrite an input (the teacher's lesson file) or each other."""
    for index, (name, path) in enumerate(outputs):
        for flag, given in inputs:
            if given and _same_file(path, Path(given)):
                raise OutputProblem(
                    f"--{name} {path} would overwrite the input {flag} {given}; "
                    "choose another file name",
                    EXIT_USAGE,
                )
        for other_name, other in outputs[:index]:
            if _same_file(path, other):
                raise OutputProblem(
                    f"--{other_name} and --{name} both name {path}; give each output its own file",
                    EXIT_USAGE,
                )
    for name, path in outputs:
        flag = f"--{name}"
        if name in PICTURE_FLAGS:
            suffix = PICTURE_FLAGS[name]
            if path.suffix.lower() != suffix:
                raise OutputProblem(
                    f"{flag}: the file name must end in {suffix}, not {path.name!r}", EXIT_USAGE
                )
        if path.is_dir():
            raise OutputProblem(f"cannot write {path}: it is a directory", EXIT_FAILED)
        parent = path.parent
        if not parent.is_dir():
            raise OutputProblem(f"cannot write {path}: no such directory {parent}", EXIT_FAILED)
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise OutputProblem(f"cannot write {path}: permission denied", EXIT_FAILED)


def write_outputs(outputs: Sequence[tuple[str, Path]], writers: dict[str, Writer]) -> int:
    """Write every output; one line on stderr for each that fails. Returns the exit code."""
    code = EXIT_OK
    for name, path in outputs:
        try:
            writers[name](path)
        except OSError as exc:
            error(f"cannot write {path}: {exc.strerror or exc}")
            code = EXIT_FAILED
        except LanesError as exc:
            error(str(exc))
            code = EXIT_FAILED
        except Exception as exc:  # never a traceback; the other outputs still get written
            error(f"cannot write {path}: {type(exc).__name__}: {exc}")
            code = EXIT_FAILED
    return code


def picture_writer(
    runs: list[Run], title: str | None, scale: int, by: str = "request", verdict: str | None = None
) -> Writer:
    """Writes a picture of one run, or of A and B with the ``verdict`` printed, for a slide
    (Qt is imported here)."""

    def write(path: Path) -> None:
        from app.slides.export import export_picture

        export_picture(path, runs, title=title, scale=scale, by=by, verdict_text=verdict)

    return write
