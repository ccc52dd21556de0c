"""What a segment of a kind looks like on screen, for tests that read pictures by content."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.theme import LIGHT, Theme

__all__ = ["looks_like"]


def _rgb(colour: QColor) -> tuple[int, int, int]:
    r, g, b, _ = colour.getRgb()
    return r, g, b


def looks_like(pixel: QColor, kind: str, slack: int = 30, theme: Theme = LIGHT) -> bool:
    """Whether ``pixel`` is ``kind``'s fill, or its pattern's lines drawn over the fill (the
    blend is the painter's own: :meth:`Theme.hatch`'s colour and alpha)."""
    base = theme.color(kind)
    colours = [_rgb(base)]
    hatch = theme.hatch(kind)
    if hatch is not None:
        ink, alpha = hatch.color(), hatch.color().alphaF()
        colours.append(
            tuple(round(b + (i - b) * alpha) for b, i in zip(_rgb(base), _rgb(ink), strict=True))
        )
    return any(
        all(abs(p - c) <= slack for p, c in zip(_rgb(pixel), colour, strict=True))
        for colour in colours
    )
