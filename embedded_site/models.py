from __future__ import annotations

from django.db import models


class SlowQuery(models.Func):
    """``lanes_sleep(ms)``: an SQL expression the database takes ``ms`` to evaluate.

    It stands for a slow query (a missing index, a big join) while keeping the time spent
    inside the database exact and repeatable.
    """

    function = "lanes_sleep"
    output_field = models.FloatField()


class Article(models.Model):
    """A news article; the front page is the one row the ORM lessons read."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title
