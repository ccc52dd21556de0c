"""The whole run as JSON; the schema is documented in docs/run-schema.md.

The file is compact (no indentation, times to 0.01 ms) and written a request at a time from
the trace's columns, so a 10,000-request run is saved in a second or two without ever
holding the whole text, or a dict per segment, in memory. Loop steps too short to see are
folded into the wait around them (:mod:`simulator.files.folding`), with the folded time
recorded per request.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from itertools import chain
from json.encoder import encode_basestring_ascii
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.files.atomic import write_chunks_atomically
from simulator.files.folding import fold_short_steps
from simulator.files.text_columns import concat, lookup, rounded_texts
from simulator.trace import KINDS, Lane, Run
from simulator.trace.collector import paused_collection

__all__ = ["SCHEMA_VERSION", "dumps", "run_to_dict", "write_json"]

SCHEMA_VERSION = 1

#: The summary's keys the file carries, in its order.
_SUMMARY_KEYS = (
    "makespan_ms",
    "throughput_rps",
    "latency_ms",
    "peak_in_flight",
    "threads_used",
    "threads_held_peak",
    "db_connections_peak",
    "loop_blocked_ms",
    "framework_ms_per_request",
    "requests",
    "ok",
    "failed",
    "cancelled",
    "answered",
    "server_span_ms",
    "client_cpu_ms",
    "framework_after_answer_ms_per_request",
)


def dumps(data: Any) -> str:
    """Compact JSON, as every run file is written (json's C encoder: no indentation)."""
    return json.dumps(data, separators=(",", ":"))


def _ms(ns: int, t0_ns: int) -> float:
    return round((ns - t0_ns) / 1e6, 2)


def _head(run: Run) -> dict[str, Any]:
    summary = run.summary.to_dict()
    return {
        "schema": SCHEMA_VERSION,
        "scenario": run.scenario.to_dict(),
        "stopped": run.stopped,
        "tidying_cut_short": run.tidying_cut_short,
        "summary": {key: summary[key] for key in _SUMMARY_KEYS},
        "loop_thread": run.trace.loop_thread,
    }


def _tail(run: Run) -> dict[str, Any]:
    trace = run.trace
    t0 = trace.t0_ns
    return {
        "loop_blocked": [
            {"start_ms": _ms(start, t0), "end_ms": _ms(end, t0)}
            for start, end in trace.loop_blocked
        ],
        "worker_pids": list(trace.worker_pids),
    }


def _requests(run: Run) -> Iterator[str]:
    """Each request's JSON text, one at a time, from the trace's columns.

    A batch of lanes' segments is formatted a column at a time (:mod:`.text_columns`): json's
    own text for the names, ``repr`` for the times, as json writes floats. A request's own
    fields are formatted once per request.
    """
    trace = run.trace
    t0 = trace.t0_ns
    cols = trace.columns
    folded = fold_short_steps(cols, trace.loop_thread)
    rows = folded.rows
    # A row's text around its two times: what comes before the start (its kind) and after
    # the end (its thread, and whether that is the loop), one text per kind and per thread.
    kinds = [f'{{"kind":{dumps(str(kind))},"start_ms":' for kind in KINDS]
    loop = cols.thread_code(trace.loop_thread)
    threads = [
        f',"thread":{dumps(name)},"on_loop":{"true" if code == loop else "false"}}}'
        for code, name in enumerate(cols.threads)
    ]
    heads = _request_heads(run, np.round(folded.folded_ns / 1e6, 2).tolist())
    offsets = folded.offsets.tolist()
    for first in range(0, len(heads), _LANES_AT_ONCE):
        last = min(first + _LANES_AT_ONCE, len(heads))
        # A batch of lanes' rows converted at once: memory stays a batch's, not the run's.
        batch = slice(offsets[first], offsets[last])
        here = rows[batch]
        segments = concat(
            lookup(kinds, cols.kind[here]),
            rounded_texts((cols.start_ns[here] - t0) / 1e6, 2),
            ',"end_ms":',
            rounded_texts((folded.end_ns[batch] - t0) / 1e6, 2),
            lookup(threads, cols.thread[here]),
        ).tolist()
        if cols.names:  # a site's own Server-Timing metric says which it is; no other has
            for j, row in enumerate(here.tolist()):
                if row in cols.names:
                    segments[j] = f'{segments[j][:-1]},"name":{dumps(cols.names[row])}}}'
        base = offsets[first]
        for index in range(first, last):
            own = ",".join(segments[offsets[index] - base : offsets[index + 1] - base])
            yield f"{heads[index]}{own}]}}"


def _request_heads(run: Run, folded_ms: list[float]) -> list[str]:
    """Each request's own fields, up to its segments' opening bracket. What lanes share (view,
    status, error: few distinct) is formatted once; the times a column at a time, each as
    :func:`_ms` rounds it."""
    trace = run.trace
    t0 = trace.t0_ns
    shared: dict[tuple[object, ...], str] = {}

    def fields(lane: Lane) -> str:
        key = (lane.view, lane.status, lane.status_code, lane.error)
        text = shared.get(key)
        if text is None:
            text = shared[key] = (
                f'"view":{dumps(lane.view)},"status":{dumps(lane.status)},'
                f'"status_code":{dumps(lane.status_code)},"error":{dumps(lane.error)},'
            )
        return text

    cols = trace.lane_columns
    seen = _threads_seen_texts(trace.lanes, t0)
    return [
        f'{{"id":{lane.request_id},{fields(lane)}"sent_ms":{sent},"done_ms":{done},'
        f'"folded_framework_ms":{folded!r},"threads_seen":{{{threads}}},"segments":['
        for lane, sent, done, folded, threads in zip(
            trace.lanes,
            _ms_texts(cols.sent_ns, t0),
            _ms_texts(cols.done_ns, t0),
            folded_ms,
            seen,
            strict=True,
        )
    ]


def _threads_seen_texts(lanes: Sequence[Lane], t0_ns: int) -> list[str]:
    """Each lane's ``threads_seen`` as the inside of its JSON object: each thread's name and
    when it was first seen working for the request. Formatted a column at a time over every
    lane's, as the segments are: an f-string per entry made the whole file's text 20-25%
    slower to make than before the field, this way 15% (2,000 async requests, two threads
    seen each)."""
    pairs = list(chain.from_iterable(map(_THREADS_SEEN, lanes)))
    codes: dict[str, int] = {}
    for thread, _ in pairs:
        codes.setdefault(thread, len(codes))
    # A name's text as json.dumps writes it, by the C function it calls.
    names = [encode_basestring_ascii(thread) for thread in codes]
    ns = np.fromiter(map(itemgetter(1), pairs), np.int64, len(pairs))
    entries = concat(
        lookup(names, np.fromiter((codes[t] for t, _ in pairs), np.int64, len(pairs))),
        ":",
        rounded_texts((ns - t0_ns) / 1e6, 2),
    ).tolist()
    texts, at = [], 0
    for count in map(len, map(_THREADS_SEEN, lanes)):
        texts.append(",".join(entries[at : at + count]))
        at += count
    return texts


_THREADS_SEEN = attrgetter("threads_seen")


def _ms_texts(ns: npt.NDArray[np.int64], t0_ns: int) -> list[str]:
    """Each of ``ns`` as :func:`_ms` gives it, as JSON writes it (Python's ``round`` and
    ``repr``, mapped in C over the column's values)."""
    return list(map(repr, map(round, ((ns - t0_ns) / 1e6).tolist(), itertools.repeat(2))))


#: Lanes whose segments are formatted together (a few megabytes of text at most).
_LANES_AT_ONCE = 256


def run_json_chunks(run: Run) -> Iterator[str]:
    """The run file's text, a request at a time."""
    yield dumps(_head(run))[:-1] + ',"requests":['
    for index, request in enumerate(_requests(run)):
        yield ("," if index else "") + request
    yield "]," + dumps(_tail(run))[1:] + "\n"


def run_to_dict(run: Run) -> dict[str, Any]:
    """The run as plain data, as its file holds it: every time in ms from the first send."""
    data: dict[str, Any] = json.loads("".join(run_json_chunks(run)))
    return data


def write_json(run: Run, path: str | Path) -> None:
    """Write the run file to ``path``, all or nothing, streamed a request at a time."""
    with paused_collection():  # a full collection would walk the run's objects again
        write_chunks_atomically(path, run_json_chunks(run))
