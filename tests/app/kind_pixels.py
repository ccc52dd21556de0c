"""What a segment of a kind looks like on screen, for tests that read pictures by content."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from app.theme import LIGHT, Theme

__all__ = ["kind_mask", "looks_like", "rgb_array"]

#: Each kind's colours per theme (a theme is not hashable: by identity, the theme kept): a
#: screenshot's scan asks for them hundreds of thousands of times.
_COLOURS: dict[tuple[int, str], tuple[Theme, tuple[tuple[int, int, int], ...]]] = {}


def _rgb(colour: QColor) -> tuple[int, int, int]:
    r, g, b, _ = colour.getRgb()
    return r, g, b


def _colours(kind: str, theme: Theme) -> tuple[tuple[int, int, int], ...]:
    """``kind``'s fill, and its pattern's lines drawn over the fill (the blend is the
    painter's own: :meth:`Theme.hatch`'s colour and alpha)."""
    kept = _COLOURS.get((id(theme), kind))
    if kept is not None and kept[0] is theme:
        return kept[1]
    base = theme.color(kind)
    colours = [_rgb(base)]
    hatch = theme.hatch(kind)
    if hatch is not None:
        ink, alpha = hatch.color(), hatch.color().alphaF()
        r, g, b = (round(b + (i - b) * alpha) for b, i in zip(_rgb(base), _rgb(ink), strict=True))
        colours.append((r, g, b))
    _COLOURS[(id(theme), kind)] = (theme, tuple(colours))
    return tuple(colours)


def looks_like(pixel: QColor, kind: str, slack: int = 30, theme: Theme = LIGHT) -> bool:
    """Whether ``pixel`` is ``kind``'s fill, or its pattern's lines drawn over the fill."""
    rgb = _rgb(pixel)
    return any(
        all(abs(p - c) <= slack for p, c in zip(rgb, colour, strict=True))
        for colour in _colours(kind, theme)
    )


def rgb_array(image: QImage) -> np.ndarray:
    """``image``'s pixels as (rows, columns, red green blue), signed: each pixel's
    ``pixelColor`` for a whole screenshot at once, to compare colours without overflow."""
    rgb32 = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = rgb32.width(), rgb32.height()
    rows = np.frombuffer(rgb32.constBits(), np.uint8).reshape(height, rgb32.bytesPerLine())
    bgra = rows[:, : width * 4].reshape(height, width, 4).astype(np.int16)
    return bgra[:, :, 2::-1]  # Format_RGB32 is 0xffRRGGBB: B, G, R, 255 in memory


def kind_mask(image: QImage, kind: str, slack: int = 30, theme: Theme = LIGHT) -> np.ndarray:
    """For every pixel of ``image`` (rows, columns), whether it :func:`looks_like` ``kind``:
    the same rule over a whole screenshot at once."""
    rgb = rgb_array(image)
    mask = np.zeros(rgb.shape[:2], bool)
    for colour in _colours(kind, theme):
        mask |= (np.abs(rgb - np.array(colour, np.int16)) <= slack).all(axis=2)
    return mask
