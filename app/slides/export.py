"""A run, or two runs side by side, as one picture for a slide: PNG, SVG or PDF.

The picture is a slide a teacher can project: a title, the dials of each run, each run's
timeline, the colour key, the key figures of each run, and for two runs the verdict. Three
steps, each usable on its own (the tests use the first two), each in a module of its own and
re-exported here:

- :func:`slide_text` decides every line of text (:mod:`app.slides.text`);
- :func:`layout_slide` decides where everything goes, in logical pixels of ``size``
  (:mod:`app.slides.layout`);
- :func:`paint_slide` paints it with any ``QPainter`` (:mod:`app.slides.paint`).

:func:`export_picture` does all three for a file, choosing the format by the file's suffix.
In an SVG, each request lane is one group, ``<g id="lane-N" class="lane">`` (``a-lane-N`` and
``b-lane-N`` in a comparison), so a slide tool or a script can pick lanes apart.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRect, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from app.headless import ensure_gui_application
from app.slides.layout import BASE_H, BASE_W, SlideLayout, TimelineBlock, layout_slide
from app.slides.paint import LANE_TAG, paint_slide
from app.slides.text import LETTERS, TAIL_NOTE, SlideText, metrics_line, slide_text
from app.text_clean import printable
from app.theme import LIGHT, Theme
from app.timeline.rows import by_value
from simulator.errors import LanesError
from simulator.files.atomic import write_bytes_atomically
from simulator.trace import Run

__all__ = [
    "FORMATS",
    "TAIL_NOTE",
    "SlideLayout",
    "SlideText",
    "TimelineBlock",
    "ensure_gui_application",
    "export_picture",
    "layout_slide",
    "metrics_line",
    "paint_slide",
    "slide_text",
]

#: The suffixes :func:`export_picture` writes.
FORMATS = (".png", ".svg", ".pdf")

_SVG_NS = "http://www.w3.org/2000/svg"


def export_picture(
    path: str | Path,
    runs: Sequence[Run],
    *,
    title: str | None = None,
    scale: float = 1.0,
    theme: Theme = LIGHT,
    size: tuple[int, int] = (BASE_W, BASE_H),
    by: str = "requests",
    subtitle: str | None = None,
    verdict_text: str | None = None,
    figure: str | None = None,
    every_run: Sequence[Sequence[Run]] | None = None,
) -> None:
    """Write one run, or runs A and B, as a slide: ``.png``, ``.svg`` or ``.pdf`` by suffix.

    Parameters
    ----------
    path
        Where to write; the suffix picks the format.
    runs
        One run, or two (A and B), which then share one time axis and get a verdict.
    title
        The slide's title; by default the run's dials, or what differs between A and B.
    scale
        PNG only: pixels per logical pixel (2 gives a 3200×1800 PNG of a 1600×900 slide).
    theme
        Colours (light or dark).
    size
        The slide in logical pixels; fonts are sized for 1600×900 and scale with it.
    by
        ``"requests"``/``"request"``: a lane per request; ``"workers"``/``"worker"``: the
        thread view (the queue, the event loop and what awaits on it, a lane per thread).
    subtitle, verdict_text
        A lesson's own lines: its question and answer, its noise-aware verdict.
    figure
        The figure a lesson asks about: it leads each run's line of figures, as on the
        window's figure line.
    every_run
        Each side's every run, where a side was measured several times (``runs`` holds the
        one drawn of each): the lesson's figure bar writes the median and the range, as the
        verdict does.

    Raises
    ------
    LanesError
        For an unknown suffix, a path that cannot be written, or a bad size or scale.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise LanesError(
            f"cannot export a picture to {path}: the name must end in .png, .svg or .pdf"
        )
    if not scale > 0 or scale > 8:
        raise LanesError(f"scale must be more than 0 and at most 8, not {scale:g}")
    try:
        by = by_value(by)
    except ValueError as exc:
        raise LanesError(str(exc)) from None
    slide = layout_slide(
        runs,
        title=_printable(title),
        size=size,
        theme=theme,
        by=by,
        subtitle=_printable(subtitle),
        verdict_text=_printable(verdict_text),
        figure=figure,
        every_run=every_run,
    )
    if suffix == ".png":
        data = _png(slide, theme, scale)
    elif suffix == ".svg":
        data = _svg(slide, theme)
    else:
        data = _pdf(slide, theme)
    try:
        write_bytes_atomically(path, data)
    except OSError as exc:
        raise LanesError(f"cannot write {path}: {exc.strerror or exc}") from None


def _printable(text: str | None) -> str | None:
    """A title, subtitle or verdict fit for SVG and PDF, whoever typed it (the command line, a
    file, a lesson, the window's Export); lanes' own texts are cleaned where they are made."""
    return None if text is None else printable(text)


def _buffer() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _begin(painter: QPainter, device) -> None:
    if not painter.begin(device):
        raise LanesError("could not start painting the picture")


def _png(slide: SlideLayout, theme: Theme, scale: float) -> bytes:
    w, h = slide.size.width(), slide.size.height()
    image = QImage(round(w * scale), round(h * scale), QImage.Format.Format_RGB32)
    if image.isNull():
        raise LanesError(f"a {w}×{h} picture at scale {scale:g} is too large to make")
    image.setDevicePixelRatio(scale)
    image.fill(QColor(theme.background))
    painter = QPainter()
    _begin(painter, image)
    paint_slide(painter, slide, theme)
    painter.end()
    buffer = _buffer()
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # QBuffer is a QIODevice
        raise LanesError("could not encode the PNG")
    return bytes(buffer.data().data())


def _svg(slide: SlideLayout, theme: Theme) -> bytes:
    from PySide6.QtSvg import QSvgGenerator

    w, h = slide.size.width(), slide.size.height()
    buffer = _buffer()
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(w, h))
    generator.setViewBox(QRect(0, 0, w, h))
    generator.setResolution(96)
    generator.setTitle(slide.text.title)
    generator.setDescription(
        "Django Async Lanes: one lane per "
        + ("thread" if slide.timelines[0].rows.by == "workers" else "request")
        + ", time from the first send"
    )
    painter = QPainter()
    _begin(painter, generator)
    paint_slide(painter, slide, theme, lanes_apart=True)
    painter.end()
    return _group_svg_lanes(bytes(buffer.data().data()), slide)


def _pdf(slide: SlideLayout, theme: Theme) -> bytes:
    w, h = slide.size.width(), slide.size.height()
    buffer = _buffer()
    writer = QPdfWriter(buffer)
    writer.setTitle(slide.text.title)
    writer.setCreator("Django Async Lanes")
    writer.setResolution(96)
    # A page the slide's shape, at 96 logical pixels to the inch (1600×900 → 1200×675 pt):
    # a portrait page size turned landscape, as printers and viewers expect of a wide page.
    short, long = sorted((w * 0.75, h * 0.75))
    page = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Point, "slide", QPageSize.SizeMatchPolicy.ExactMatch
    )
    orientation = QPageLayout.Orientation.Landscape if w >= h else QPageLayout.Orientation.Portrait
    writer.setPageLayout(QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    _begin(painter, writer)
    device = painter.device()
    painter.scale(device.width() / w, device.height() / h)
    paint_slide(painter, slide, theme)
    painter.end()
    return bytes(buffer.data().data())


# --- SVG lane groups -------------------------------------------------------------------------


def _group_svg_lanes(data: bytes, slide: SlideLayout) -> bytes:
    """Wrap each lane's drawing in ``<g id="lane-N" class="lane">``.

    QSvgGenerator writes one flat ``<g>`` per painter state, not per ``save()``; each lane was
    painted with a font family of its own (``LANE_TAG`` + lane), which lands on the groups
    that hold its rectangles. Runs of such groups become one lane group, and the marker font
    is dropped (a rectangle has no use for a font). Font families get a generic fallback so
    browsers without DejaVu still draw sans-serif text.
    """
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    g_tag = f"{{{_SVG_NS}}}g"
    labels = {}
    for index, block in enumerate(slide.timelines):
        prefix = "" if len(slide.timelines) == 1 else f"{LETTERS[index].lower()}-"
        letter = "" if len(slide.timelines) == 1 else f"{LETTERS[index]}: "
        if block.rows.by == "workers":
            for row, label in enumerate(block.rows.labels):
                labels[f"{prefix}{row}"] = f"{letter}{label}"
            continue
        for row, lane in enumerate(block.run.trace.lanes):
            labels[f"{prefix}{row}"] = f"{letter}request #{lane.request_id + 1} ({lane.status})"

    def regroup(parent: ET.Element) -> None:
        children = list(parent)
        for child in children:
            parent.remove(child)
        current_key: str | None = None
        current: ET.Element | None = None
        for child in children:
            family = child.get("font-family", "")
            if child.tag == g_tag and family.startswith(LANE_TAG):
                if len(child) == 0:
                    continue  # an empty state group: QSvgGenerator writes one per change
                key = family[len(LANE_TAG) :]
                for attr in ("font-family", "font-size", "font-weight", "font-style"):
                    child.attrib.pop(attr, None)
                if key != current_key:
                    current_key = key
                    current = ET.SubElement(parent, g_tag, {"id": f"lane-{key}", "class": "lane"})
                    if "-" in key:
                        letter, _, row = key.partition("-")
                        current.set("id", f"{letter}-lane-{row}")
                    ET.SubElement(current, f"{{{_SVG_NS}}}title").text = labels.get(key, key)
                assert current is not None  # made above for the first lane of a run
                current.append(child)
                continue
            if child.tag == g_tag and len(child) == 0:
                continue
            current_key, current = None, None
            if child.tag == g_tag:
                regroup(child)
            parent.append(child)

    regroup(root)
    for element in root.iter():
        family = element.get("font-family")
        if family and not family.startswith(LANE_TAG) and "sans-serif" not in family:
            element.set("font-family", f"'{family}', sans-serif")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
