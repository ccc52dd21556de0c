"""The code panel shows the real source of the lesson view being run."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontDatabase, QFontMetricsF, QTextDocument

from app.widgets.code_panel import QtCode
from simulator.catalog import view_info


@pytest.fixture
def make_code(qtbot):
    """Build a code panel for a view name, shown at a known size; qtbot closes it."""

    def make(view: str | None = "async_io", **kwargs) -> QtCode:
        code = QtCode(view, **kwargs)
        qtbot.addWidget(code)
        code.resize(600, 320)
        code.show()
        qtbot.waitExposed(code)
        return code

    return make


def color_of(code: QtCode, text: str):
    """The colour the browser shows ``text`` in (its first occurrence)."""
    cursor = code.browser.document().find(text, 0, QTextDocument.FindFlag.FindCaseSensitively)
    assert not cursor.isNull(), text
    return cursor.charFormat().foreground().color()


def background_at_bottom(code: QtCode):
    """The colour of the empty area below the code, as a user sees it."""
    image = code.browser.viewport().grab().toImage()
    return image.pixelColor(image.width() - 10, image.height() - 10)


def test_async_io_shows_its_real_source_under_its_description(make_code):
    code = make_code("async_io")
    text = code.browser.toPlainText()
    assert "async def async_io" in text
    assert "await asyncio.sleep" in text
    assert text.lstrip().startswith("1")  # numbered lines
    assert code.heading.text() == view_info("async_io").description
    html = code.browser.toHtml()
    assert "<span style=" in html and "color:#" in html
    # Keywords stand out from names.
    assert color_of(code, "await") != color_of(code, "dials")


def test_switching_views_replaces_the_code(make_code):
    code = make_code("async_io")
    code.set_view("sync_io")
    text = code.browser.toPlainText()
    assert "def sync_io" in text
    assert "time.sleep" in text
    assert "async def async_io" not in text
    assert code.heading.text() == view_info("sync_io").description


def test_set_dark_darkens_the_background_and_back(make_code):
    code = make_code("async_io")
    light = background_at_bottom(code)
    assert light.lightness() > 180
    keyword_light = color_of(code, "await")

    code.set_dark(True)
    dark = background_at_bottom(code)
    assert dark.lightness() < 80
    assert color_of(code, "await") != keyword_light
    assert "async def async_io" in code.browser.toPlainText()

    code.set_dark(False)
    assert background_at_bottom(code) == light


def test_a_dark_panel_shows_a_new_view_in_dark_colours(make_code):
    code = make_code(None, dark=True)
    code.set_view("sync_io")
    assert background_at_bottom(code).lightness() < 80
    assert "def sync_io" in code.browser.toPlainText()


def test_unknown_view_shows_a_message_instead_of_raising(make_code):
    code = make_code("async_io")
    code.set_view("no_such_view")
    assert "no_such_view" in code.heading.text()
    text = code.browser.toPlainText()
    assert "no_such_view" in text and "Known views" in text and "async_io" in text
    assert "async def" not in text

    code.set_view("async_io")  # and it recovers
    assert "async def async_io" in code.browser.toPlainText()


def _columns_line_up(font) -> bool:
    """Narrow, wide and blank characters take the same width: the code's columns line up."""
    metrics = QFontMetricsF(font)
    widths = {metrics.horizontalAdvance(text) for text in ("iiii", "MMMM", "    ", "()[]")}
    return len(widths) == 1


def test_code_is_monospace_and_follows_the_panel_font(make_code, qtbot):
    """The panel asks for the system's fixed font ("monospace" to fontconfig). The Makefile
    installs fonts-dejavu-core, whose DejaVu Sans Mono fontconfig then gives. What is checked
    is the widths a reader sees: fontconfig may pick a monospace font that Qt does not flag
    as fixed-pitch, and a flag is not what lines up code."""
    code = make_code("async_io")
    asked = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert code.browser.font().family() == asked.family()
    assert _columns_line_up(code.browser.document().defaultFont())
    before = code.browser.font().pointSizeF()
    bigger = code.font()
    bigger.setPointSizeF(bigger.pointSizeF() * 2)
    code.setFont(bigger)
    qtbot.waitUntil(lambda: code.browser.font().pointSizeF() > before * 1.5)
    assert _columns_line_up(code.browser.document().defaultFont())


def test_a_hovered_segments_line_is_highlighted_in_the_view_as_written(qtbot):
    from app.widgets.code_panel import QtCode
    from simulator.view_code import view_code

    panel = QtCode("sync_io")
    qtbot.addWidget(panel)
    assert "measured" not in panel.browser.toPlainText()
    assert "ffd54a" not in panel.browser.toHtml()  # the highlight's amber
    code = view_code("sync_io")
    sleep_file_line = next(f for f, s in code.shown_line.items() if s == 4)
    panel.highlight_file_line("sync_io", sleep_file_line)
    assert panel.highlighted == 4
    assert "ffd54a" in panel.browser.toHtml()  # the highlighted line
    panel.highlight_file_line("async_io", None)  # another view, no line: nothing lit
    assert panel.highlighted is None
