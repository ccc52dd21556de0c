"""Text made a column at a time: how the exports write a segment's line without a Python loop.

A 10,000-request run has a quarter of a million segments or more. Formatting each with an
f-string (or a dict for ``json.dumps``, a tuple for ``csv``) costs a Python step per segment;
numpy's variable-width strings (``StringDType``) format a whole column of floats and join
columns of text in C. A float's text is its ``repr`` (the shortest that reads back the same),
which is what ``json`` and ``csv`` write, so the files are byte for byte what the per-segment
code wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.dtypes import StringDType

__all__ = ["Texts", "concat", "float_texts", "lookup", "pick", "rounded_texts"]

#: A column of text.
Texts = npt.NDArray[np.str_]

_TEXT = StringDType()

#: The most decimals :func:`rounded_texts` makes from integers: a float's ``repr`` turns to
#: an exponent below 1e-4.
_MOST_PLACES = 4
#: Rounded values whose integer of hundredths (thousandths...) is below this in magnitude
#: have at most 15 significant digits: their ``repr`` is that integer's decimals with the
#: point put back and trailing zeros dropped.
_EXACT_BELOW = 10**15


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


def rounded_texts(values: npt.NDArray[np.floating[Any]], places: int) -> Texts:
    """``float_texts(np.round(values, places))``, made from integers.

    ``np.round`` multiplies by ``10**places``, rounds to an integer and divides back; the
    quotient is the float nearest that integer's decimal, so its ``repr`` (the shortest text
    that reads back the same float) is the integer's decimals with the point put back and
    trailing zeros dropped, while it has no more than 15 significant digits. An integer
    column is formatted several times faster than a float one (numpy finds a float's
    shortest text digit by digit); anything else (more places, huge or non-finite values)
    takes :func:`float_texts`."""
    scale = 10.0**places
    with np.errstate(over="ignore"):  # as np.round: a value too big to scale stays so, inf
        scaled = np.rint(values * scale)
    if (
        places > _MOST_PLACES
        or len(scaled) == 0
        or not np.isfinite(scaled).all()
        or np.abs(scaled).max() >= _EXACT_BELOW
    ):
        return float_texts(scaled / scale)
    whole, part = np.divmod(np.abs(scaled).astype(np.int64), 10**places)
    texts: Texts = np.strings.add(whole.astype(_TEXT), _fractions(places)[part])
    negative = np.signbit(scaled)  # -0.0 included, as repr writes it
    if negative.any():
        texts = np.where(negative, np.strings.add("-", texts), texts).astype(_TEXT)
    return texts


@functools.cache
def _fractions(places: int) -> Texts:
    """The text after the integer part of each fraction ``0 .. 10**places - 1`` (in units of
    the last place), as ``repr`` writes it: ``.0``, ``.01``, ``.1``, ``.25``..."""
    texts = [
        ("." + f"{part:0{places}d}".rstrip("0")) if part else ".0" for part in range(10**places)
    ]
    return np.array(texts, dtype=_TEXT)


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
