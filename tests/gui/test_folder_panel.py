"""Folder panel: real photos and a corrupt file, streamed into the table, exported."""
from __future__ import annotations

import csv
import io
import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.images.decode import load_rgb
from gui.classify.results_model import CLASS, FILE, SCORE
from tests.gui.conftest import classify

CATS = {"tabby", "tiger cat", "Egyptian cat"}


@pytest.fixture(scope="module")
def many_photos(photos, tmp_path_factory):
    """240 crops and flips of the real photos, 1200 px wide."""
    root = tmp_path_factory.mktemp("many")
    sources = [load_rgb(p) for p in photos.values()]
    rng = np.random.default_rng(0)
    for n in range(240):
        rgb = sources[n % len(sources)]
        h, w = rgb.shape[:2]
        y, x = rng.integers(0, h // 4), rng.integers(0, w // 4)
        crop = rgb[y:y + 3 * h // 4, x:x + 3 * w // 4]
        crop = crop[:, ::-1] if n % 2 else crop
        big = cv2.resize(crop, (1200, 900))
        cv2.imwrite(str(root / f"{n:03d}.jpg"), cv2.cvtColor(big, cv2.COLOR_RGB2BGR))
    return root


@pytest.fixture
def panel(window):
    window.classify.show(window.classify.folder)
    return window.classify.folder


def rows(panel):
    """(file, class, score text, tooltip) for each row, in the order shown."""
    proxy = panel.proxy
    return [tuple(proxy.index(r, c).data() for c in (FILE, CLASS, SCORE))
            + (proxy.index(r, CLASS).data(Qt.ToolTipRole),) for r in range(proxy.rowCount())]


def test_good_files_get_labels_the_bad_one_an_error_row_and_csv(panel, photo_folder,
                                                                qtbot, tmp_path):
    sentence = classify(panel, qtbot, photo_folder)
    assert sentence == "Classified 4 images; 1 could not be read (see their rows)."
    table = {r[0]: r for r in rows(panel)}
    assert set(table) == {"astronaut.jpg", "broken.jpg", "chelsea.jpg", "coffee.jpg",
                          "rocket.jpg"}
    assert table["coffee.jpg"][1] == "espresso" and table["coffee.jpg"][2].endswith("%")
    assert table["chelsea.jpg"][1] in CATS
    assert "espresso: " in table["coffee.jpg"][3]  # top-k on hover
    assert table["broken.jpg"][1] == "unreadable" and table["broken.jpg"][2] == ""
    assert "corrupt or unknown format" in table["broken.jpg"][3]
    assert "images/s" in panel.rate.text()
    assert panel.settings.value("folder/last") == str(photo_folder)

    out = tmp_path / "results.csv"
    assert panel.export_to(out)
    exported = {row["path"].rsplit("/", 1)[-1]: row
                for row in csv.DictReader(io.StringIO(out.read_text()))}
    assert set(exported) == set(table)
    assert exported["coffee.jpg"]["label"] == "espresso"
    assert float(exported["coffee.jpg"]["score"]) > 0.8
    assert exported["chelsea.jpg"]["label"] in CATS
    assert exported["broken.jpg"]["label"] == ""
    assert "corrupt or unknown format" in exported["broken.jpg"]["error"]
    qtbot.waitUntil(lambda: panel.proxy.index(0, FILE).data(Qt.DecorationRole) is not None,
                    timeout=5000)  # thumbnails arrive for the rows on screen


def test_sort_filter_threshold_and_copy(panel, photo_folder, qtbot, tmp_path):
    classify(panel, qtbot, photo_folder)
    panel.table.sortByColumn(SCORE, Qt.DescendingOrder)
    scores = [panel.proxy.index(r, SCORE).data(Qt.UserRole) for r in range(5)]
    assert scores == sorted(scores, reverse=True) and scores[-1] == -1.0  # error row last

    panel.class_box.setCurrentText("espresso")
    assert [r[0] for r in rows(panel)] == ["coffee.jpg"]
    panel.class_box.setCurrentText("All classes")
    assert len(rows(panel)) == 5

    panel.options.set_threshold(0.99)  # everything below 99% becomes "unknown"
    assert {r[1] for r in rows(panel)} == {"unknown", "unreadable"}
    assert "unknown" in [panel.class_box.itemText(i) for i in range(panel.class_box.count())]
    panel.options.set_threshold(0.0)

    dest = tmp_path / "sorted"
    with qtbot.waitSignal(panel.finished, timeout=10000) as done:
        panel.copy_to(dest)
    assert done.args[0].startswith("Copied 4 images")
    assert (dest / "espresso" / "coffee.jpg").read_bytes() == \
        (photo_folder / "coffee.jpg").read_bytes()
    assert not (dest / "unreadable").exists()


def test_cancel_stops_within_a_second(panel, many_photos, qtbot):
    panel.classify([many_photos])
    qtbot.waitUntil(lambda: panel.results.rowCount() >= 16, timeout=30000)
    # The count says the folder's own total from the start, not one guessed from rows shown.
    assert " of 240 images · " in panel.rate.text(), panel.rate.text()
    with qtbot.waitSignal(panel.finished, timeout=5000) as done:
        start = time.monotonic()
        qtbot.keyClick(panel, Qt.Key_Escape)
    took = time.monotonic() - start
    assert took < 1.0, f"cancel took {took:.2f} s"
    assert done.args[0].startswith("Cancelled after")
    assert panel.results.rowCount() < 240
    assert panel.choose_button.isEnabled()


def test_dropping_a_folder_classifies_it(panel, photo_folder, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo_folder))])
    drop = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(panel.finished, timeout=60000):
        panel.dropEvent(drop)
    assert panel.results.rowCount() == 5
