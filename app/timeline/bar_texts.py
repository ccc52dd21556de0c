"""Words written on bars ("#7" on a worker's bar, "3 queued" on a band), held as columns.

The thread view of 10,000 requests numbers some 200,000 bars and steps of its bands. As a
list of tuples with a string each, they cost half a second to make before its first frame,
and most are never drawn (only bars wide enough on screen are written on). :class:`BarTexts`
keeps them as numpy columns (row, start, end, a number) with one kind and one wording per
part, and makes a ``(row, start_ns, end_ns, kind, text)`` tuple only when one is read: it
reads as the list of tuples it stands for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

__all__ = ["BarText", "BarTexts", "text_at", "text_spans"]

#: ``(row, start_ns, end_ns, kind, text)``.
BarText = tuple[int, int, int, str, str]
Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Part:
    row: Int64s
    start: Int64s
    end: Int64s
    number: Int64s
    kind: str
    #: The text with ``{}`` where the number goes: ``"{} queued"``, ``"#{}"``.
    wording: str

    def item(self, i: int) -> BarText:
        return (
            int(self.row[i]),
            int(self.start[i]),
            int(self.end[i]),
            self.kind,
            self.wording.format(int(self.number[i])),
        )


class BarTexts(Sequence[BarText]):
    """Bar texts in parts of one kind and wording each (see the module's text)."""

    def __init__(self, parts: Sequence[_Part] = ()) -> None:
        self._parts = [part for part in parts if len(part.row)]
        self._offsets = np.cumsum([0] + [len(part.row) for part in self._parts])

    @classmethod
    def of(
        cls, row: Int64s, start: Int64s, end: Int64s, number: Int64s, kind: str, wording: str
    ) -> BarTexts:
        return cls([_Part(row, start, end, number, kind, wording)])

    def __add__(self, other: BarTexts) -> BarTexts:
        return BarTexts(self._parts + other._parts)

    def __len__(self) -> int:
        return int(self._offsets[-1])

    @overload
    def __getitem__(self, i: int) -> BarText: ...
    @overload
    def __getitem__(self, i: slice) -> list[BarText]: ...
    def __getitem__(self, i: int | slice) -> BarText | list[BarText]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        at = int(np.searchsorted(self._offsets, i, side="right")) - 1
        return self._parts[at].item(i - int(self._offsets[at]))

    def __iter__(self) -> Iterator[BarText]:
        for part in self._parts:
            rows, starts, ends = part.row.tolist(), part.start.tolist(), part.end.tolist()
            numbers = part.number.tolist()
            for row, start, end, number in zip(rows, starts, ends, numbers, strict=True):
                yield (row, start, end, part.kind, part.wording.format(number))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BarTexts({len(self)} texts)"

    def first_at(self, row: int, ns: int) -> BarText | None:
        """The first text on row ``row`` whose bar holds ``ns``: found by numpy (hover)."""
        for part in self._parts:
            hits = np.flatnonzero((part.row == row) & (part.start <= ns) & (ns <= part.end))
            if len(hits):
                return part.item(int(hits[0]))
        return None

    def spans(self) -> tuple[Int64s, Int64s, Int64s]:
        """Every text's bar: where it starts and ends, and its row."""
        if not self._parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        return (
            np.concatenate([part.start for part in self._parts]),
            np.concatenate([part.end for part in self._parts]),
            np.concatenate([part.row for part in self._parts]),
        )


def text_spans(texts: Sequence[BarText]) -> tuple[Int64s, Int64s, Int64s]:
    """Where the bars of ``texts`` (columns or a plain list) start and end, and their rows."""
    if isinstance(texts, BarTexts):
        return texts.spans()
    return (
        np.array([t[1] for t in texts], np.int64),
        np.array([t[2] for t in texts], np.int64),
        np.array([t[0] for t in texts], np.int64),
    )


def text_at(texts: Sequence[BarText], row: int, ns: int) -> str | None:
    """The first of ``texts`` on row ``row`` whose bar holds ``ns`` (what the pointer is on)."""
    if isinstance(texts, BarTexts):
        found = texts.first_at(row, ns)
        return found[4] if found is not None else None
    return next((t for r, s, e, _, t in texts if r == row and s <= ns <= e), None)
