"""The lesson views the embedded site offers, as the engine, the app and the command line see
them.

Everything but the code comes from the site's Django-free declarations
(:mod:`embedded_site.lesson_views`), so listing the views, checking a scenario and predicting
a run boot no Django. The code the app shows is read from the running function, which needs
Django: :func:`view_source` boots it on first use.
"""

from __future__ import annotations

import inspect
from functools import cache

from embedded_site.lesson_views import LESSON_VIEWS, IoStyle, LessonView, Nature, lesson_view

__all__ = ["IoStyle", "Nature", "ViewInfo", "lesson_views", "view_info", "view_source"]

#: What the engine knows about one lesson view (the site's own declaration).
ViewInfo = LessonView

_VIEWS: dict[str, ViewInfo] = {view.name: view for view in LESSON_VIEWS}


def lesson_views() -> dict[str, ViewInfo]:
    """Every lesson view by name, in the site's order. Boots no Django."""
    return dict(_VIEWS)


def view_info(name: str) -> ViewInfo:
    """The view called ``name``; ``KeyError`` names the known views."""
    return lesson_view(name)


@cache
def view_source(name: str) -> str:
    """The source code of the view called ``name``, read from its function (boots Django,
    which the views module needs, on first use). ``KeyError`` for an unknown view."""
    lesson_view(name)  # KeyError naming the known views
    import embedded_site

    embedded_site.boot()
    from embedded_site.urls import VIEW_FUNCTIONS

    return inspect.getsource(VIEW_FUNCTIONS[name])
