"""The comparison's picture: validation accuracy against latency.

x: batch-1 latency in ms on a log scale; y: validation accuracy (%); marker
area: the model's float LiteRT size; each point labelled with its backbone;
the Pareto front (no other backbone is both faster and more accurate) drawn
as a line through its points. Drawn with OpenCV (already a dependency, so
the command line and the packaged app draw the same PNG): everything is drawn
at twice the size and shrunk, which smooths lines and text.
"""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from core.base import paths

WIDTH, HEIGHT = 1100, 700
SCALE = 2  # supersampling
LEFT, RIGHT, TOP, BOTTOM = 95, 40, 80, 100
FONT = cv2.FONT_HERSHEY_SIMPLEX
INK = (40, 40, 40)
GRID = (225, 225, 225)
FRONT = (40, 110, 220)  # BGR: orange-red
POINT = (190, 120, 40)  # BGR: steel blue
POINT_ON_FRONT = (60, 140, 240)
MAX_RADIUS, MIN_RADIUS = 34, 6


def plotted(rows) -> list:
    """The rows that have both an accuracy and a latency."""
    return [r for r in rows if r.val_accuracy is not None and r.latency_ms]


def pareto_front(rows) -> list:
    """Rows no other row beats on both accuracy and latency, fastest first."""
    points = plotted(rows)
    front = [r for r in points
             if not any(o is not r and o.latency_ms <= r.latency_ms
                        and o.val_accuracy >= r.val_accuracy
                        and (o.latency_ms < r.latency_ms or o.val_accuracy > r.val_accuracy)
                        for o in points)]
    return sorted(front, key=lambda r: r.latency_ms)


def render(rows, title: str = "Accuracy vs speed on your images") -> np.ndarray:
    """The plot as an RGB uint8 image (HEIGHT, WIDTH, 3)."""
    canvas = np.full((HEIGHT * SCALE, WIDTH * SCALE, 3), 255, np.uint8)
    _text(canvas, title, (LEFT - 60, 36), 0.85, INK, 2)
    points = plotted(rows)
    if not points:
        _text(canvas, "No backbone has both an accuracy and a latency yet.",
              (LEFT, HEIGHT // 2), 0.7, INK, 1)
        return _finish(canvas)
    axes = _Axes(points)
    axes.draw(canvas)
    front = pareto_front(points)
    if len(front) > 1:
        line = np.array([axes.at(r) for r in front], np.int32) * SCALE
        cv2.polylines(canvas, [line], False, FRONT, 3 * SCALE, cv2.LINE_AA)
    biggest = max((r.size_mb or 0) for r in points) or 1.0
    labels: list[tuple] = []  # boxes already written, so labels do not overlap
    for row in sorted(points, key=lambda r: -(r.size_mb or 0)):  # small ones on top
        _point(canvas, axes, row, biggest, row in front)
    circles = [(r, *axes.at(r), _radius(r, biggest)) for r in points]
    for row in sorted(points, key=lambda r: axes.at(r)[1]):
        _label(canvas, axes, row, biggest, labels, circles)
    _text(canvas, "Marker area = model size (float LiteRT MB).  Line = Pareto front: "
          "nothing else is both faster and more accurate.", (LEFT, HEIGHT - 14), 0.45, INK, 1)
    return _finish(canvas)


def write_png(path, rows) -> Path:
    """Render and write the plot as PNG (atomically); returns the path."""
    ok, data = cv2.imencode(".png", cv2.cvtColor(render(rows), cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not encode the plot for {path}")
    paths.atomic_write_bytes(Path(path), data.tobytes())
    return Path(path)


class _Axes:
    """Log-x, linear-y mapping from (latency ms, accuracy) to plot pixels."""

    def __init__(self, points):
        latencies = [r.latency_ms for r in points]
        self.x0 = math.floor(math.log10(min(latencies)) * 2) / 2 - 0.15
        self.x1 = math.ceil(math.log10(max(latencies)) * 2) / 2 + 0.15
        accuracies = [100 * r.val_accuracy for r in points]
        self.y0 = max(0.0, math.floor((min(accuracies) - 5) / 10) * 10)
        self.y1 = min(100.0, math.ceil((max(accuracies) + 3) / 10) * 10) or 10.0
        if self.y1 <= self.y0:
            self.y0 = max(0.0, self.y1 - 10)
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM

    def x(self, latency_ms: float) -> float:
        return LEFT + (math.log10(latency_ms) - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, accuracy_percent: float) -> float:
        return TOP + (self.y1 - accuracy_percent) / (self.y1 - self.y0) * self.height

    def at(self, row) -> tuple[float, float]:
        return self.x(row.latency_ms), self.y(100 * row.val_accuracy)

    def draw(self, canvas) -> None:
        bottom, right = TOP + self.height, LEFT + self.width
        for tick in _log_ticks(self.x0, self.x1):
            x = self.x(tick)
            _line(canvas, (x, TOP), (x, bottom), GRID, 1)
            label = f"{tick:g}"
            _text(canvas, label, (x - 5 * len(label), bottom + 24), 0.5, INK, 1)
        step = 5 if self.y1 - self.y0 <= 40 else 10
        for value in np.arange(self.y0, self.y1 + 0.1, step):
            y = self.y(value)
            _line(canvas, (LEFT, y), (right, y), GRID, 1)
            _text(canvas, f"{value:.0f}%", (LEFT - 55, y + 6), 0.5, INK, 1)
        _line(canvas, (LEFT, bottom), (right, bottom), INK, 1)
        _line(canvas, (LEFT, TOP), (LEFT, bottom), INK, 1)
        _text(canvas, "Latency per image, ms (batch 1, this computer; log scale)",
              (LEFT + self.width // 2 - 230, bottom + 55), 0.55, INK, 1)
        _text(canvas, "Validation accuracy", (LEFT - 60, TOP - 20), 0.55, INK, 1)


def _log_ticks(x0: float, x1: float) -> list[float]:
    ticks = []
    for decade in range(math.floor(x0), math.ceil(x1) + 1):
        for m in (1, 2, 5):
            value = m * 10.0 ** decade
            if x0 <= math.log10(value) <= x1:
                ticks.append(value)
    return ticks


def _point(canvas, axes, row, biggest: float, on_front: bool) -> None:
    x, y = axes.at(row)
    radius = _radius(row, biggest)  # area ~ size
    colour = POINT_ON_FRONT if on_front else POINT
    centre = (int(x * SCALE), int(y * SCALE))
    overlay = canvas.copy()
    cv2.circle(overlay, centre, int(radius * SCALE), colour, -1, cv2.LINE_AA)
    cv2.addWeighted(overlay, 0.45, canvas, 0.55, 0, dst=canvas)
    cv2.circle(canvas, centre, int(radius * SCALE), colour, 2 * SCALE, cv2.LINE_AA)


def _radius(row, biggest: float) -> float:
    return max(MIN_RADIUS, MAX_RADIUS * math.sqrt((row.size_mb or 0) / biggest))


def _label(canvas, axes, row, biggest: float, taken: list, circles: list) -> None:
    """Write the backbone's name beside its point, where it hits no other label or
    point; when it has to move away, a thin line ties it to its point."""
    x, y = axes.at(row)
    radius = _radius(row, biggest)
    label = f"{row.backbone}  {100 * row.val_accuracy:.0f}%"
    (w, h), _ = cv2.getTextSize(label, FONT, 0.55, 1)
    candidates = [(x + radius + 6, y + h / 2), (x - radius - 6 - w, y + h / 2),
                  (x - w / 2, y - radius - 8), (x - w / 2, y + radius + h + 8)]
    for step in range(1, 8):  # then further and further below
        candidates.append((x + radius + 6, y + h / 2 + step * (h + 10)))
        candidates.append((x - radius - 6 - w, y + h / 2 + step * (h + 10)))
    for n, (tx, ty) in enumerate(candidates):
        inside = LEFT <= tx and tx + w <= WIDTH - 5 and TOP + h <= ty <= HEIGHT - BOTTOM
        if inside and not _hits(tx, ty, w, h, taken, circles, row):
            break
    taken.append((tx, ty, w, h))
    if n >= 4:
        anchor = (tx if tx > x else tx + w, ty - h / 2)
        _line(canvas, (x, y), anchor, (150, 150, 150), 1)
    _text(canvas, label, (tx, ty), 0.55, INK, 1)


def _hits(tx, ty, w, h, taken, circles, own) -> bool:
    """Does the text box (tx, ty - h)-(tx + w, ty) touch a label or another point?"""
    for bx, by, bw, bh in taken:
        if tx < bx + bw + 4 and bx < tx + w + 4 and ty - h - 4 < by and by - bh - 4 < ty:
            return True
    for row, cx, cy, r in circles:
        if row is own:
            continue
        nearest_x, nearest_y = min(max(cx, tx), tx + w), min(max(cy, ty - h), ty)
        if (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 < (r + 3) ** 2:
            return True
    return False


def _line(canvas, a, b, colour, thickness) -> None:
    cv2.line(canvas, (int(a[0] * SCALE), int(a[1] * SCALE)),
             (int(b[0] * SCALE), int(b[1] * SCALE)), colour, thickness * SCALE, cv2.LINE_AA)


def _text(canvas, text, origin, size, colour, thickness) -> None:
    cv2.putText(canvas, text, (int(origin[0] * SCALE), int(origin[1] * SCALE)), FONT,
                size * SCALE, colour, thickness * SCALE, cv2.LINE_AA)


def _finish(canvas) -> np.ndarray:
    small = cv2.resize(canvas, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
