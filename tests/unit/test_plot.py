"""core.compare.plot: the accuracy-vs-latency picture and its Pareto front, from plain rows."""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np

from core.compare.plot import HEIGHT, WIDTH, pareto_front, plotted, render, write_png


def row(backbone, accuracy, latency_ms, size_mb=1.0):
    """What the plot reads of a comparison row."""
    return SimpleNamespace(backbone=backbone, val_accuracy=accuracy, latency_ms=latency_ms,
                           size_mb=size_mb)


ROWS = [row("LeNet5", 0.80, 0.3, 0.2), row("MobileNetV2", 0.90, 4.0, 9.0),
        row("ResNet50", 0.88, 30.0, 90.0),  # slower and worse than MobileNetV2
        row("EfficientNetLite2", 0.95, 12.0, 20.0),
        row("VGG16", None, None), row("Xception", 0.7, None)]  # failed, and not timed


def test_only_rows_with_accuracy_and_latency_are_plotted():
    assert [r.backbone for r in plotted(ROWS)] == ["LeNet5", "MobileNetV2", "ResNet50",
                                                   "EfficientNetLite2"]


def test_the_front_is_what_nothing_beats_on_both_fastest_first():
    front = [r.backbone for r in pareto_front(ROWS)]
    assert front == ["LeNet5", "MobileNetV2", "EfficientNetLite2"]
    tie = [row("A", 0.9, 5.0), row("B", 0.9, 5.0)]  # equal on both: neither beats the other
    assert len(pareto_front(tie)) == 2


def test_the_plot_is_an_rgb_image_with_a_point_per_row():
    image = render(ROWS)
    assert image.shape == (HEIGHT, WIDTH, 3) and image.dtype == np.uint8
    coloured = (image.max(axis=2).astype(int) - image.min(axis=2)) > 60
    assert coloured.sum() > 2000  # the points and the front, not only black text on white


def test_crowded_points_and_a_single_point_still_draw():
    crowded = [row(f"Net{i}", 0.80 + i / 1000, 5.0 + i / 100, 5.0) for i in range(12)]
    assert render(crowded).std() > 5
    assert render([row("Only", 1.0, 1.0)]).std() > 5


def test_without_plottable_rows_the_picture_says_so():
    blank = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    image = render([row("VGG16", None, None)])
    assert image.shape == blank.shape and (image != blank).any()


def test_write_png_writes_the_picture(tmp_path):
    path = write_png(tmp_path / "plots" / "compare.png", ROWS)
    assert path == tmp_path / "plots" / "compare.png"
    written = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert np.array_equal(written, render(ROWS))
