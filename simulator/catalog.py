"""The lesson views the embedded site offers, read from the site itself.

The site is the one source of truth: names come from ``embedded_site.urls.LESSON_VIEWS``,
descriptions from the first line of each view's docstring, code from the function's source.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache

__all__ = ["ViewInfo", "lesson_views", "view_info"]


@dataclass(frozen=True, slots=True)
class ViewInfo:
    """What the app and the command line need to know about one lesson view."""

    name: str
    description: str
    is_async: bool
    uses_upstream: bool
    uses_fanout: bool
    source: str


@cache
def lesson_views() -> dict[str, ViewInfo]:
    """Every lesson view by name, in the site's order. Boots Django on first use."""
    import embedded_site

    embedded_site.boot()
    from embedded_site.urls import LESSON_VIEWS

    views: dict[str, ViewInfo] = {}
    for view in LESSON_VIEWS:
        name = view.__name__
        doc = inspect.getdoc(view) or name
        views[name] = ViewInfo(
            name=name,
            description=doc.splitlines()[0],
            is_async=inspect.iscoroutinefunction(view),
            uses_upstream="httpx" in name or "fanout" in name,
            uses_fanout="fanout" in name,
            source=inspect.getsource(view),
        )
    return views


def view_info(name: str) -> ViewInfo:
    """The view called ``name``; ``KeyError`` names the known views."""
    views = lesson_views()
    try:
        return views[name]
    except KeyError:
        raise KeyError(f"unknown view {name!r}; known views: {', '.join(views)}") from None
