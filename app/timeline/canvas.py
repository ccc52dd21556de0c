"""The picture a timeline widget shows, kept from frame to frame.

A frame is painted into the same image as the last (a new one only for a new size). While a
run is live and the view keeps its step (:func:`~app.timeline.axis.live_span_ns`) and its
rows their places, a frame paints only where it differs from the last
(:func:`~app.timeline.live_frame.changed_region`): the rest of the image already holds it.
Anything else (a zoom, a resize, a new step, a coarse frame refined) paints it whole. The
bars' pixels are written into the image's own memory with numpy (:meth:`~app.timeline.
image_paint.LanesImage.paint`'s ``target``): no image made and handed to Qt per frame.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QFont, QImage, QPainter, QRegion

from app.theme import Theme
from app.timeline.geometry import TimelineGeometry
from app.timeline.image_paint import LanesImage, Pixels
from app.timeline.live_frame import Drawn, changed_region
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows

__all__ = ["Canvas"]

#: Opaque pixels: the picture is copied to the screen, not blended (its background is drawn).
_OPAQUE = QImage.Format.Format_RGB32


class Canvas:
    """One widget's picture and what it shows (see the module's text)."""

    def __init__(self) -> None:
        self._image: QImage | None = None
        self._pixels: Pixels | None = None  # the image's own memory (a device pixel each)
        self._drawn: Drawn | None = None  # what it shows, while live (for the next frame)
        #: Where the last frame was painted over the one before (``None``: everywhere).
        self.painted: QRegion | None = None

    def paint(
        self,
        size: QSize,
        ratio: float,
        rows: TimelineRows,
        theme: Theme,
        image: LanesImage,
        *,
        same: Hashable,
        live: bool,
        t_from_ns: int,
        t_to_ns: int,
        cutoff_ns: int | None,
        font: QFont,
        tails: bool,
        label_px: float,
        rows_room: int,
        empty_text: str | None,
    ) -> tuple[QImage, TimelineGeometry]:
        """Paint the frame of ``rows`` (:func:`~app.timeline.paint.paint_timeline`'s
        arguments) at ``size`` (device pixel ``ratio``): over the last one where it changed,
        if ``live`` and all it depends on but the rows and now (``same``) is as it was; the
        picture and its geometry."""
        picture = self._image
        if picture is None or picture.size() != size * ratio:
            # Drawn over each frame: a new one only for a new size (a frame's worth of pixels
            # to allocate and free otherwise).
            picture = self._image = QImage(size * ratio, _OPAQUE)
            picture.setDevicePixelRatio(ratio)
            lines = picture.bytesPerLine() // 4
            self._pixels = np.frombuffer(picture.bits(), np.uint32).reshape(-1, lines)
            self._drawn = None
        # One to one: the bars written into the pixels (else, at another ratio, drawn).
        pixels = self._pixels if ratio == 1 else None
        changed = image.take_changed()
        drawn, self.painted = self._drawn, None
        partly = live and rows_room > 0 and changed is not None and drawn is not None

        def clip(geo: TimelineGeometry) -> QRegion | None:
            self.painted = changed_region(drawn, same, geo, rows, cutoff_ns, changed, font)
            return self.painted

        self._drawn = None  # (none while painting: a frame that failed half way is no base)
        inner = QPainter(picture)
        inner.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        try:
            geo = paint_timeline(
                inner,
                QRectF(0, 0, size.width(), size.height()),
                rows,
                theme,
                t_from_ns=t_from_ns,
                t_to_ns=t_to_ns,
                cutoff_ns=cutoff_ns,
                font=font,
                tails=tails,
                label_px=label_px,
                rows_room=rows_room,
                empty_text=empty_text,
                lanes=lambda p, g, part: image.paint(p, g, theme, cutoff_ns, tails, part, pixels),
                clip=clip if partly else None,
            )
        finally:
            inner.end()  # (ended whatever happens: a painter left open takes Qt down)
        # What the picture now shows, for the next live frame to tell its changes by (a
        # coarse one is painted whole again on the next turn; so is one after a frame of no
        # lanes, whose text, "running…", is written across the lanes, right of "now" too).
        if live and cutoff_ns is not None and not image.needs_refine and rows.trace.lanes:
            self._drawn = Drawn(same, geo, cutoff_ns, rows.error_texts)
        return picture, geo
