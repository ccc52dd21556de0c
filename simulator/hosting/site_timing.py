"""A site's own ``Server-Timing`` header (not this project's ``lanes`` entry): its metrics.

Any site may send one (``db;dur=53, app;dur=47.2``): each metric is a name and, maybe, a
duration and a description. Only the durations are known, not when each began nor whether
they overlap, so a lane lays them end to end in header order from the start of the server's
time and says so. A duration that is not a finite, non-negative number is ignored with a
note (a site's header is input like any other: it never ends a run with a traceback).
"""

from __future__ import annotations

from dataclasses import dataclass

from embedded_site.server_timing import header_metrics
from simulator.numbers import finite_in

__all__ = ["SiteMetric", "site_metrics"]


@dataclass(frozen=True, slots=True)
class SiteMetric:
    """One metric of a site's header; ``dur_ms`` is ``None`` where it gave none (or a
    number that is no duration: then ``note`` says so)."""

    name: str
    dur_ms: float | None
    desc: str | None = None
    note: str | None = None

    @property
    def text(self) -> str:
        """How the hover lists it: ``cache (hit)``, ``db: dur=inf ignored (not finite)``."""
        shown = self.name[:40] + (f" ({self.desc[:60]})" if self.desc else "")
        return f"{shown}: {self.note}" if self.note else shown


def site_metrics(value: str) -> tuple[SiteMetric, ...]:
    """Every metric of a ``Server-Timing`` value (several headers joined by commas)."""
    metrics = []
    for name, params in header_metrics(value):
        dur, note = None, None
        if "dur" in params:
            try:
                dur = float(params["dur"])
            except ValueError:
                dur, note = None, f"dur={params['dur'][:20]} ignored (not a number)"
            if dur is not None and not finite_in(dur, 0):
                dur, note = None, f"dur={params['dur'][:20]} ignored (not a finite duration)"
        metrics.append(SiteMetric(name, dur, params.get("desc") or None, note))
    return tuple(metrics)
