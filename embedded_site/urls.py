"""Every lesson view, served at /<name>/; the name is what the command line calls it.

What each view is (its description, how it waits) is declared in :mod:`.lesson_views`; this
maps each declaration to the function that does it.
"""

from collections.abc import Callable
from typing import Any

from django.urls import path

from . import views
from .lesson_views import LESSON_VIEWS

#: The function of every declared lesson view, by name.
#: Sync views return a response, async ones a coroutine of one: Django tells them apart.
VIEW_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sync_io": views.sync_io,
    "async_io": views.async_io,
    "async_blocking": views.async_blocking,
    "async_sync_to_async": views.async_sync_to_async,
    "sync_httpx": views.sync_httpx,
    "async_httpx": views.async_httpx,
    "sync_fanout": views.sync_fanout,
    "async_fanout": views.async_fanout,
    "sync_orm": views.sync_orm,
    "async_orm": views.async_orm,
    "async_sync_orm_bug": views.async_sync_orm_bug,
    "missing_await_bug": views.missing_await_bug,
    "async_cpu_chunked": views.async_cpu_chunked,
    "sync_stream": views.sync_stream,
    "async_stream": views.async_stream,
    "long_poll": views.long_poll,
}

urlpatterns = [
    path(f"{view.name}/", VIEW_FUNCTIONS[view.name], name=view.name) for view in LESSON_VIEWS
]
