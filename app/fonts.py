"""A font larger or smaller than another: the one rule for every scaled font of the window
and the lanes' labels (a slide sizes its fonts in pixels from its own height).

A font keeps its own unit: a point size is scaled as points (the desk, where Qt converts by
the screen's resolution), a pixel size as pixels (presentation mode sets the application's
text in pixels from the screen's height), rounded to a whole pixel and never below
``least_px``. Four copies did this before (the lesson panel, the lanes' labels, the
header and the metrics panel), one converting every font to pixels first.
"""

from __future__ import annotations

from PySide6.QtGui import QFont

__all__ = ["HEADING_SCALE", "heading_font", "scaled_font"]

#: The header's and the verdict's size over the body text's.
HEADING_SCALE = 1.25


def scaled_font(
    base: QFont, factor: float, *, bold: bool | None = None, least_px: int = 1
) -> QFont:
    """``base`` at ``factor`` times its size (in its own unit), bold or not as ``bold`` says
    (``None``: as ``base``)."""
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(max(least_px, round(font.pixelSize() * factor)))
    if bold is not None:
        font.setBold(bold)
    return font


def heading_font(base: QFont) -> QFont:
    """The bold, larger font of the header and the verdict."""
    return scaled_font(base, HEADING_SCALE, bold=True)
