"""What the command line prints about a run: its figures, and a prediction beside a
measurement."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.trace import Run

__all__ = ["PREDICTION_HEADING", "check_lines", "format_summary"]

PREDICTION_HEADING = "PREDICTION (model, not measured)"


def format_summary(run: Run) -> str:
    """A few lines a person reads at a glance."""
    s = run.summary
    lat = s.latency_ms
    lines = [
        run.scenario.label + ("  (stopped)" if run.stopped else ""),
        f"  makespan      {s.makespan_ms:9.1f} ms",
        f"  throughput    {s.throughput_rps:9.1f} req/s",
        f"  latency       p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}"
        f"  max {lat['max']:.1f} ms",
        f"  in flight     {s.peak_in_flight} at peak",
        f"  threads used  {s.threads_used}",
        f"  loop blocked  {s.loop_blocked_ms:9.1f} ms",
        f"  framework     {s.framework_ms_per_request:9.2f} ms per request",
        f"  requests      {s.ok} ok, {s.failed} failed, {s.cancelled} cancelled",
    ]
    errors = sorted({lane.error for lane in run.trace.lanes if lane.error})
    for error in errors[:3]:
        lines.append(f"  error         {error}")
    return "\n".join(lines)


def check_lines(predicted: Run, measured: Run) -> list[str]:
    """Each figure predicted against measured, and their ratio."""
    p, m = predicted.summary, measured.summary
    figures = [
        ("makespan", p.makespan_ms, m.makespan_ms, "ms"),
        ("p50", p.latency_ms["p50"], m.latency_ms["p50"], "ms"),
        ("p95", p.latency_ms["p95"], m.latency_ms["p95"], "ms"),
        ("threads used", p.threads_used, m.threads_used, ""),
        ("loop blocked", p.loop_blocked_ms, m.loop_blocked_ms, "ms"),
    ]
    lines = [f"  {'':14}{'predicted':>11}{'measured':>11}{'ratio':>8}"]
    for name, pv, mv, unit in figures:
        ratio = f"{pv / mv:8.2f}" if mv else ("       -" if not pv else "     inf")
        number = "{:11.1f}" if unit else "{:11d}"
        lines.append(
            f"  {name + (' ' + unit if unit else ''):14}"
            f"{number.format(pv)}{number.format(mv)}{ratio}"
        )
    return lines
