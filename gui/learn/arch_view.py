"""The block diagram of one architecture, drawn with Qt from core.learn.layout.

Click a block to open it into its layers, click any of its layers to close it
again; the wheel zooms, dragging pans. Export writes the same picture as SVG
(core.learn.layout.to_svg) or PNG.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from core.base.paths import atomic_write_bytes, atomic_write_text
from core.learn.layout import (
    KIND_COLOURS,
    LAYER_COLOUR,
    ROW_GAP,
    block_frames,
    label_position,
    layout,
    stage_tops,
    to_svg,
)

SKIP_COLOUR = QColor("#c0392b")


class NodeItem(QGraphicsRectItem):
    """One visible block (or layer); knows which block a click opens or closes."""

    def __init__(self, node):
        super().__init__(node.x, node.y, node.w, node.h)
        self.node = node
        colour = LAYER_COLOUR if node.is_layer else KIND_COLOURS.get(node.kind, "#eeeeee")
        self.setBrush(QBrush(QColor(colour)))
        self.setPen(QPen(QColor("#444444"), 1.0))
        self.setCursor(Qt.PointingHandCursor)
        tip = "Click to close this block" if node.is_layer else "Click to open into its layers"
        self.setToolTip(f"{node.title}\n{node.detail}\n{tip}")
        title = QGraphicsSimpleTextItem(node.title, self)
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(9.0)
        title.setFont(font)
        title.setPos(node.x + 8, node.y + 4)
        detail = QGraphicsSimpleTextItem(node.detail, self)
        small = QFont()
        small.setPointSizeF(7.8)
        detail.setFont(small)
        detail.setPos(node.x + 8, node.y + node.h - 18)


class ArchitectureView(QGraphicsView):
    """Shows a core.learn.architecture.Architecture; emits ``expanded_changed`` on a click."""

    expanded_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.Antialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.arch = None
        self.expanded: set[str] = set()
        self.current_layout = None
        self.relayout = None  # the side-by-side view lays out both of its views together
        self.show_stages = False  # a rule and a label where each resolution starts

    # --- content ----------------------------------------------------------
    def set_architecture(self, arch) -> None:
        self.arch = arch
        self.expanded = set()
        self.redraw()
        self.resetTransform()

    def toggle(self, block: str) -> None:
        """Open ``block`` into its layers, or close it if open."""
        if block in self.expanded:
            self.expanded.discard(block)
        elif len(self.arch.block(block).layers) > 1:
            self.expanded.add(block)
        else:
            return
        self.redraw()
        self.expanded_changed.emit()

    def redraw(self) -> None:
        if self.arch is None:
            self.scene().clear()
            self.current_layout = None
        elif self.relayout is not None:
            self.relayout()
        else:
            self.show_layout(layout(self.arch, self.expanded))

    def show_layout(self, lay) -> None:
        scene = self.scene()
        scene.clear()
        self.current_layout = lay
        for name, x, y, w, h in block_frames(lay):
            self._draw_frame(name, x, y, w, h)
        if self.show_stages:
            for label, y in stage_tops(self.arch, lay):
                self._draw_stage(label, y - ROW_GAP / 2, lay.width)
        for e in lay.edges:
            self._draw_edge(e)
        for n in lay.nodes:
            scene.addItem(NodeItem(n))
            if n.skip:
                self._draw_skip(n)
        scene.setSceneRect(QRectF(0, 0, lay.width, lay.height))

    def _draw_edge(self, e) -> None:
        path = QPainterPath(QPointF(*e.points[0]))
        for x, y in e.points[1:]:
            path.lineTo(QPointF(x, y))
        item = QGraphicsPathItem(path)
        red = e.round_side or e.skip
        pen = QPen(SKIP_COLOUR if red else QColor("#555555"), 1.6 if red else 1.2)
        if e.round_side:
            pen.setStyle(Qt.DashLine)
        item.setPen(pen)
        self.scene().addItem(item)
        if not e.show_label:
            return
        label = QGraphicsSimpleTextItem(e.label)
        small = QFont()
        small.setPointSizeF(7.5)
        label.setFont(small)
        label.setPos(*label_position(e))
        self.scene().addItem(label)

    def _draw_frame(self, block: str, x, y, w, h) -> None:
        """A tinted box round an opened block's layers, named after the block."""
        kind = self.arch.block(block).kind
        colour = QColor(KIND_COLOURS.get(kind, "#dddddd"))
        frame = self.scene().addRect(QRectF(x, y, w, h), QPen(colour.darker(130), 1.5),
                                     QBrush(QColor(colour.red(), colour.green(), colour.blue(),
                                                   60)))
        frame.setZValue(-1)
        label = QGraphicsSimpleTextItem(f"{block} ({kind.replace('_', ' ')}): "
                                        "click a layer to close")
        small = QFont()
        small.setPointSizeF(7.5)
        small.setItalic(True)
        label.setFont(small)
        label.setPos(x + 6, y + 2)
        self.scene().addItem(label)

    def _draw_stage(self, text: str, y: float, width: float) -> None:
        pen = QPen(QColor("#aab7b8"), 1.0, Qt.DotLine)
        self.scene().addLine(0, y, width, y, pen).setZValue(-2)
        label = QGraphicsSimpleTextItem(text)
        label.setBrush(QBrush(QColor("#7f8c8d")))
        label.setPos(width - 64, y + 2)
        self.scene().addItem(label)

    def _draw_skip(self, n) -> None:
        """The skip connection round a closed residual block: a red arc on its right."""
        x = n.x + n.w
        path = QPainterPath(QPointF(x - 20, n.y - 8))
        path.cubicTo(QPointF(x + 30, n.y - 8), QPointF(x + 30, n.y + n.h + 8),
                     QPointF(x - 20, n.y + n.h + 8))
        item = QGraphicsPathItem(path)
        item.setPen(QPen(SKIP_COLOUR, 2.0))
        item.setToolTip("skip connection: the block's input is added to its output")
        self.scene().addItem(item)

    def visible_node_ids(self) -> list[str]:
        return [n.id for n in self.current_layout.nodes] if self.current_layout else []

    # --- interaction ------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        moved = (event.position() - getattr(self, "_press", event.position())).manhattanLength()
        if event.button() == Qt.LeftButton and moved < 4:
            node = self.node_at(event.position().toPoint())
            if node is not None:
                self.toggle(node.block)

    def node_at(self, point):
        for item in self.items(point):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item.node
        return None

    def wheelEvent(self, event) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        scale = self.transform().m11() * factor
        if 0.05 < scale < 6:
            self.scale(factor, factor)

    def fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.KeepAspectRatio)

    # --- export -----------------------------------------------------------
    def export_svg(self, path) -> None:
        atomic_write_text(Path(path), to_svg(self.arch, self.current_layout))

    def export_png(self, path, scale: float = 2.0) -> None:
        rect = self.scene().sceneRect()
        image = QImage(int(rect.width() * scale), int(rect.height() * scale),
                       QImage.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.WriteOnly)
        image.save(buffer, "PNG")
        atomic_write_bytes(Path(path), bytes(data))
