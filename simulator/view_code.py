"""A lesson view's code as a Django developer writes it, and where each measured line went.

The views wrap their waits in ``with measured("io_wait"):`` so the lanes know what each
stretch of time was. A class should read the view without that scaffolding: this drops the
``with measured(...)`` lines and dedents their bodies, and keeps, for every line of
``views.py``, the line it became, so a segment (which knows its line in ``views.py``, see
``Segment.line``) lights up the ``await``, the ``time.sleep`` or the ``burn_cpu`` it was.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from simulator.catalog import view_info

__all__ = ["ViewCode", "developer_source", "view_code"]

_MEASURED = re.compile(r"^(?P<indent>\s*)with measured\(\"[a-z_]+\"(, [^()]*)?\):\s*(#.*)?$")


@dataclass(frozen=True)
class ViewCode:
    """The shown text, and the shown line (1-based) of each line of ``views.py``."""

    text: str
    shown_line: dict[int, int] = field(default_factory=dict)

    def line_for(self, file_line: int | None) -> int | None:
        """The shown line of ``file_line`` of ``views.py``; ``None`` if it is not this view's."""
        return None if file_line is None else self.shown_line.get(file_line)


def developer_source(source: str, first_line: int) -> ViewCode:
    """``source`` (starting at line ``first_line`` of its file) without ``measured`` blocks."""
    shown: list[str] = []
    mapping: dict[int, int] = {}
    pending: list[int] = []  # removed lines, mapped to the next line shown
    dedent_under: list[int] = []  # indents of the measured blocks we are inside
    for offset, line in enumerate(source.splitlines()):
        file_line = first_line + offset
        indent = len(line) - len(line.lstrip())
        while dedent_under and line.strip() and indent <= dedent_under[-1]:
            dedent_under.pop()
        match = _MEASURED.match(line)
        if match:
            dedent_under.append(len(match["indent"]))
            pending.append(file_line)
            continue
        cut = 4 * len(dedent_under)
        shown.append(line[cut:] if line[:cut].strip() == "" else line.lstrip())
        mapping[file_line] = len(shown)
        for removed in pending:
            mapping[removed] = len(shown)
        pending.clear()
    return ViewCode("\n".join(shown) + "\n", mapping)


def view_code(name: str) -> ViewCode:
    """The view ``name`` as a developer writes it."""
    view_info(name)  # KeyError naming the known views
    lines, first = view_lines(name)
    return developer_source("".join(lines), first)


def view_lines(name: str) -> tuple[list[str], int]:
    """The lines of the view function ``name`` in ``embedded_site/views.py`` and the number
    of its first, as :func:`inspect.getsourcelines` gives them for
    ``embedded_site.urls.VIEW_FUNCTIONS[name]`` (``tests/simulator/test_view_code.py``
    checks every view), read from the file without importing it: ``views.py`` imports
    Django's models, and importing it boots Django, which the window's process would do for
    nothing else (the site runs in a process of its own). ``KeyError`` if there is none."""
    spec = importlib.util.find_spec("embedded_site.views")  # imports the package, not views
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            return source.splitlines(keepends=True)[first - 1 : node.end_lineno], first
    raise KeyError(name)
