"""No import circle among the project's files, counted strictly (see tests/import_graph.py).

A circle makes the order of imports matter, hides a module's real dependencies, and is how
one class ends up spread over files that import it back. The walker reads source only, so
the test costs a parse of each file and runs no import.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.import_graph import build_graph

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["app", "simulator", "embedded_site", "benchmarks"]


def test_no_module_of_the_app_the_engine_the_site_or_the_benchmarks_imports_itself_back():
    graph = build_graph(ROOT, FOLDERS)
    assert len(graph.files) > 100  # the walker saw the project, not an empty folder
    circles = [
        f"{graph.describe(cycle)}  [{len(group)} modules: {', '.join(group)}]"
        for cycle, group in zip(graph.cycles(), graph.tangles(), strict=True)
    ]
    assert not circles, "import circles:\n" + "\n".join(circles)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_a_lazy_or_type_checking_import_closes_a_circle_and_is_named_with_its_lines(tmp_path):
    _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/window.py": "from pkg.part import build\n",
            "pkg/part.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from .window import Window
                """,
            "pkg/lazy_a.py": "def f():\n    import pkg.lazy_b\n",
            "pkg/lazy_b.py": "try:\n    pass\nfinally:\n    from pkg import lazy_a\n",
            "pkg/free.py": "import pkg.window\nimport os\n",
        },
    )
    graph = build_graph(tmp_path, ["pkg"])
    assert [graph.describe(c) for c in graph.cycles()] == [
        "pkg.lazy_a (line 2) → pkg.lazy_b (line 4) → pkg.lazy_a",
        "pkg.part (line 4) → pkg.window (line 1) → pkg.part",
    ]


def test_from_a_package_import_a_name_depends_on_the_package_init(tmp_path):
    _tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.model import Model\n",
            "pkg/model.py": "from pkg.state import State\n",
            "pkg/state.py": "",
            "pkg/view.py": "from pkg import Model\n",  # fine: nothing imports the view
            "pkg/events.py": "from pkg import Model\nE = 1\n",  # a circle once the model imports it
        },
    )
    assert build_graph(tmp_path, ["pkg"]).cycles() == []
    (tmp_path / "pkg/state.py").write_text("from .events import E\n", encoding="utf-8")
    (cycle,) = build_graph(tmp_path, ["pkg"]).cycles()
    assert cycle == ["pkg", "pkg.model", "pkg.state", "pkg.events", "pkg"]
