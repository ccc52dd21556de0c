"""The lesson views the embedded site offers, as the engine, the app and the command line see
them.

Everything but the code comes from the site's Django-free declarations
(:mod:`embedded_site.lesson_views`), so listing the views, checking a scenario and predicting
a run boot no Django; so does the code the app shows (:mod:`simulator.view_code` reads it
from ``views.py`` as text).
"""

from __future__ import annotations

from embedded_site.lesson_views import LESSON_VIEWS, IoStyle, LessonView, Nature, lesson_view

__all__ = ["IoStyle", "Nature", "ViewInfo", "lesson_views", "view_info"]

#: What the engine knows about one lesson view (the site's own declaration).
ViewInfo = LessonView

_VIEWS: dict[str, ViewInfo] = {view.name: view for view in LESSON_VIEWS}


def lesson_views() -> dict[str, ViewInfo]:
    """Every lesson view by name, in the site's order. Boots no Django."""
    return dict(_VIEWS)


def view_info(name: str) -> ViewInfo:
    """The view called ``name``; ``KeyError`` names the known views."""
    return lesson_view(name)
