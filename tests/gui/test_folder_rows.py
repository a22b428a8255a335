"""Folder rows: double-click opens the image in the Image view; hover shows the top-k;
thumbnails of rows scrolled away are let go."""
from __future__ import annotations

from PySide6.QtCore import Qt

from gui.classify.results_model import CLASS, FILE, KEPT_THUMBNAILS
from tests.gui.conftest import classify


def test_double_click_opens_a_row_in_the_image_view(window, qtbot, photo_folder):
    panel = window.classify.folder
    window.classify.show(panel)
    classify(panel, qtbot, photo_folder)
    proxy = panel.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, FILE).data() == "coffee.jpg")
    tooltip = proxy.index(row, CLASS).data(Qt.ToolTipRole)
    assert tooltip.count("%") == window.classify.options.k  # hover: the whole top-k
    image = window.classify.image
    rect = panel.table.visualRect(proxy.index(row, CLASS))
    with qtbot.waitSignal(image.classified, timeout=20000):
        # A view's double-click follows a press on the same row, as a real one does.
        qtbot.mouseClick(panel.table.viewport(), Qt.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.classify_tabs.currentWidget() is image
    assert image.name_label.text() == "coffee.jpg" and image.bars.labels()[0] == "espresso"
    assert len(image.bars.labels()) == window.classify.options.k


def test_thumbnails_are_evicted_least_recently_used(window):
    model = window.classify.folder.results
    asked = []
    model._thumbnails.request = asked.append  # count requests, decode nothing
    for n in range(KEPT_THUMBNAILS + 50):
        model._thumbnail(f"/photos/{n}.jpg")
    assert len(model._thumbs) == KEPT_THUMBNAILS
    assert "/photos/0.jpg" not in model._thumbs  # the oldest went first
    model._thumbnail("/photos/0.jpg")  # scrolled back: asked again
    assert asked.count("/photos/0.jpg") == 2
