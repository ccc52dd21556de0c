"""The window's site in a process of its own: the runner (:class:`SiteProcess`), each run's
handle (:class:`ProcessRun`), the site's side (``child``) and what goes between them
(``wire``: a live trace at the cost of what changed)."""

from simulator.hosting.site_process.gone import RunLost
from simulator.hosting.site_process.parent import SiteProcess
from simulator.hosting.site_process.process_run import ProcessRun

__all__ = ["ProcessRun", "RunLost", "SiteProcess"]
