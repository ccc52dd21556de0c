"""Where the thread view marks each answer: on the row of the request's last hold before it,
at the moment the client got it, as one lane per request marks it at its lane's end.

Lesson 6's B (every request sliced into turns on the loop) read as one orange block on the
loop's row: its answer, "every one of them finishes near the end", was nowhere on screen,
and a class took it from the header on trust (teacher45). With a mark per answer, A's come
one after another and B's all at the end. A mark per answer reads while they are few; a
big run's thousands on a row would paint it black, so a run of more than
:data:`ANSWER_MARKS_AT_MOST` requests has none in this view. They come once the run is over:
mid-run, the requests sent so far do not say how many the run will send, and marks drawn for
the first 64 of a bigger run went again with the 65th, the key's entry with them, moving the
lanes (review46).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from simulator.trace import Trace

__all__ = ["ANSWER_MARKS_AT_MOST", "answer_marked", "answers_on_rows"]

Int64s = npt.NDArray[np.int64]

#: The most requests a run may have for the thread view to mark each answer.
ANSWER_MARKS_AT_MOST = 64


def answer_marked(trace: Trace) -> bool:
    """Whether the thread view marks ``trace``'s answers: its run is over, some came, and
    few enough."""
    if len(trace.lanes) > ANSWER_MARKS_AT_MOST:
        return False
    columns = trace.lane_columns
    return not columns.is_status("running").any() and bool(columns.is_status("ok").any())


def answers_on_rows(trace: Trace, lane: Int64s, row: Int64s, end: Int64s) -> list[tuple[int, int]]:
    """``(row, answered_ns)`` of each answered request of ``trace``, on the row of its last
    hold: ``lane``, ``row`` and ``end`` are its holds before the answer, one per entry."""
    if not answer_marked(trace) or not len(lane):
        return []
    order = np.lexsort((end, lane))  # (holds of a lane never overlap: the last ends last)
    last = order[np.append(lane[order][1:] != lane[order][:-1], True)]  # each lane's last
    columns = trace.lane_columns
    ok = columns.is_status("ok")[lane[last]]
    rows, lanes = row[last][ok], lane[last][ok]
    return list(zip(rows.tolist(), columns.done_ns[lanes].tolist(), strict=True))
