from django.urls import path

from . import views

#: Every lesson view, served at /<name>/; the name is what the command line calls it.
LESSON_VIEWS = [
    views.sync_io,
    views.async_io,
    views.async_blocking,
    views.async_sync_to_async,
    views.sync_httpx,
    views.async_httpx,
    views.sync_fanout,
    views.async_fanout,
    views.sync_orm,
    views.async_orm,
    views.async_sync_orm_bug,
    views.missing_await_bug,
    views.async_cpu_chunked,
]

urlpatterns = [path(f"{view.__name__}/", view, name=view.__name__) for view in LESSON_VIEWS]
