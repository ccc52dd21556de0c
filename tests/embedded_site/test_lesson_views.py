"""The lesson views' declarations agree with the views the site serves.

The declarations (:mod:`embedded_site.lesson_views`) are what the engine, the model and the
command line read without Django; these tests hold them to the real functions.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import embedded_site
from embedded_site.lesson_views import CPU_CHUNK_MS, LESSON_VIEWS, IoStyle, Nature, lesson_view

ROOT = Path(__file__).resolve().parents[2]


def _served() -> dict[str, object]:
    """Every view the site's URLs serve, by URL name."""
    embedded_site.boot()
    from embedded_site.urls import VIEW_FUNCTIONS, urlpatterns

    served = {pattern.name: pattern.callback for pattern in urlpatterns}
    assert served == VIEW_FUNCTIONS
    return served


def test_every_served_view_is_declared_and_every_declaration_is_served():
    served = _served()
    assert list(served) == [view.name for view in LESSON_VIEWS]
    for name, function in served.items():
        assert function.__name__ == name
    from embedded_site.urls import urlpatterns

    assert [str(p.pattern) for p in urlpatterns] == [f"{view.name}/" for view in LESSON_VIEWS]


def test_each_declared_nature_is_how_the_function_is_written():
    for name, function in _served().items():
        declared = lesson_view(name).nature
        assert declared is (Nature.ASYNC if inspect.iscoroutinefunction(function) else Nature.SYNC)


def test_each_description_is_the_first_line_of_the_views_docstring():
    # The Code panel shows the docstring under the description: they must say the same.
    for name, function in _served().items():
        assert inspect.getdoc(function).splitlines()[0] == lesson_view(name).description


def test_the_declarations_say_what_the_lessons_teach():
    assert lesson_view("async_blocking").io is IoStyle.BLOCKING
    assert lesson_view("async_io").io is IoStyle.AWAIT
    assert lesson_view("async_orm").io is IoStyle.THREAD
    assert {v.name for v in LESSON_VIEWS if v.uses_fanout} == {"sync_fanout", "async_fanout"}
    assert {v.name for v in LESSON_VIEWS if v.uses_upstream} == {
        "sync_httpx",
        "async_httpx",
        "sync_fanout",
        "async_fanout",
    }
    bugs = {v.name: v.expected_error for v in LESSON_VIEWS if v.expected_error}
    assert set(bugs) == {"async_sync_orm_bug", "missing_await_bug"}
    assert bugs["async_sync_orm_bug"].startswith("SynchronousOnlyOperation:")
    assert all(v.io is IoStyle.NONE for v in LESSON_VIEWS if v.expected_error)


def test_the_chunked_view_computes_in_the_sites_own_slices():
    from embedded_site import views

    assert views.CPU_CHUNK_MS is CPU_CHUNK_MS
    assert [v.name for v in LESSON_VIEWS if v.cpu_in_slices] == ["async_cpu_chunked"]


def test_the_package_and_the_declarations_import_no_django():
    code = (
        "import sys, embedded_site, embedded_site.lesson_views;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
