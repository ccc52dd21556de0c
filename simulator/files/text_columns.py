"""Text made a column at a time: how the exports write a segment's line without a Python loop.

A 10,000-request run has a quarter of a million segments or more. Formatting each with an
f-string (or a dict for ``json.dumps``, a tuple for ``csv``) costs a Python step per segment;
numpy's variable-width strings (``StringDType``) format a whole column of floats and join
columns of text in C. A float's text is its ``repr`` (the shortest that reads back the same),
which is what ``json`` and ``csv`` write, so the files are byte for byte what the per-segment
code wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.dtypes import StringDType

__all__ = ["Texts", "concat", "float_texts", "lookup", "pick"]

#: A column of text.
Texts = npt.NDArray[np.str_]

_TEXT = StringDType()


def float_texts(values: npt.NDArray[np.floating[Any]]) -> Texts:
    """Each value's ``repr``, as ``json.dumps`` and ``csv`` write a float.

    Times and durations are finite; should one not be, it is spelt as ``json.dumps`` spells
    it (``NaN``, ``Infinity``), not numpy's ``nan``/``inf``, which no JSON reader takes."""
    texts: Texts = values.astype(_TEXT)
    if not np.isfinite(values).all():
        texts = np.where(np.isnan(values), "NaN", texts).astype(_TEXT)
        texts = np.where(np.isposinf(values), "Infinity", texts).astype(_TEXT)
        texts = np.where(np.isneginf(values), "-Infinity", texts).astype(_TEXT)
    return texts


def lookup(texts: Sequence[str], codes: npt.NDArray[np.integer]) -> Texts:
    """``texts[code]`` for each code: a kind's or a thread's text, once per distinct value."""
    table: Texts = np.array(list(texts) or [""], dtype=_TEXT)
    picked: Texts = table[codes]
    return picked


def pick(mask: npt.NDArray[np.bool_], yes: str, no: str) -> Texts:
    """``yes`` where ``mask`` holds, else ``no``."""
    texts: Texts = np.where(mask, yes, no).astype(_TEXT)
    return texts


def concat(*parts: Texts | str) -> Texts:
    """The parts joined element by element (plain strings repeat on every row)."""
    texts: Texts | None = None
    for part in parts:
        if texts is None:
            texts = part if not isinstance(part, str) else np.array([part], dtype=_TEXT)
        else:
            texts = np.strings.add(texts, part)
    assert texts is not None, "concat needs at least one part"
    return texts
