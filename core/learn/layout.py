"""Where each block of an architecture goes on a page, and the page as SVG.

:func:`layout` places the visible nodes (one per block; a block the user
expanded shows its layers instead) in rows by their longest path from the
input, each under the middle of what it reads, so a chain runs straight
down and parallel branches sit side by side. Every edge carries the shape of
the tensor it moves; an edge over several rows runs down its own column when
that is free (a short inception branch) and otherwise round the right-hand
side (an identity skip past a residual block's layers, NASNet's link to the
cell before last). The GUI draws the same layout with Qt; :func:`to_svg`
writes it as plain SVG text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from core.learn.architecture import Architecture

KIND_COLOURS = {
    "preprocess": "#fcf3cf",
    "stem": "#8e9aaf", "conv": "#7fb3d5", "pool": "#d5dbdb", "residual": "#f5b041",
    "inception": "#bb8fce", "inverted_residual": "#58d68d", "dense_block": "#f1948a",
    "transition": "#f8c471", "dense": "#85c1e9", "head": "#ec7063", "other": "#e5e8e8",
}
LAYER_COLOUR = "#fdfefe"
BLOCK_SIZE = (250, 50)
LAYER_SIZE = (250, 40)  # wide enough for "SeparableConv2D 7×7 /2 · 12.3k params"
ROW_GAP, COLUMN_GAP, MARGIN = 34, 24, 30


@dataclass
class Node:
    id: str  # a block name, or a layer name inside an expanded block
    block: str
    kind: str  # the block's kind ("" for a layer)
    title: str
    detail: str
    x: float = 0.0
    y: float = 0.0
    w: float = BLOCK_SIZE[0]
    h: float = BLOCK_SIZE[1]
    is_layer: bool = False
    skip: bool = False  # a collapsed block with a skip edge round it
    rank: int = 0


@dataclass
class Edge:
    source: str
    target: str
    label: str  # the tensor shape, e.g. "56×56×256"
    points: list[tuple[float, float]] = field(default_factory=list)
    jumps: bool = False  # spans several rows
    show_label: bool = True  # False where the same tensor's label is already shown
    skip: bool = False  # part of a residual block's skip connection

    @property
    def round_side(self) -> bool:
        """Drawn round the right-hand side (a skip connection past a chain of layers)."""
        return len(self.points) == 4


@dataclass
class Layout:
    nodes: list[Node]
    edges: list[Edge]
    width: float
    height: float

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def shape_text(shape) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def count_text(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g}{unit}"
    return f"{n:.0f}"


def _visible(arch: Architecture, expanded) -> tuple[list[Node], dict[str, str]]:
    """The visible nodes, and which node shows each layer."""
    nodes, shown_by = [], {}
    for b in arch.blocks:
        if b.name in expanded and len(b.layers) > 1:
            for layer in b.layers:
                nodes.append(Node(layer.name, b.name, "", layer.name,
                                  f"{layer.type_text} · {count_text(layer.params)} params",
                                  w=LAYER_SIZE[0], h=LAYER_SIZE[1], is_layer=True))
                shown_by[layer.name] = layer.name
        else:
            detail = f"{b.kind.replace('_', ' ')} · {count_text(b.params)} params · " \
                     f"{count_text(b.macs)} MACs"
            nodes.append(Node(b.name, b.name, b.kind, b.name, detail, skip=b.skip is not None))
            for layer in b.layers:
                shown_by[layer.name] = b.name
    return nodes, shown_by


def _edges(arch: Architecture, shown_by) -> list[Edge]:
    edges, seen = [], set()
    shapes = {layer.name: layer.output_shape for b in arch.blocks for layer in b.layers}
    for b in arch.blocks:
        on_skip = _skip_layers(b)
        inside = {layer.name for layer in b.layers}
        for layer in b.layers:
            target = shown_by[layer.name]
            for source_layer in layer.inputs:
                source = shown_by[source_layer]
                if source == target or (source, target) in seen:
                    continue
                seen.add((source, target))
                skip = (layer.name in on_skip and (source_layer in on_skip
                                                   or source_layer not in inside))
                edges.append(Edge(source, target, shape_text(shapes[source_layer]), skip=skip))
    return edges


def _skip_layers(block) -> set[str]:
    """The layers of a block's skip path plus the sum that ends it (empty: no skip)."""
    if block.skip is None:
        return set()
    path = set(block.skip)
    entry = block.skip[-1] if block.skip else None
    inside = {layer.name for layer in block.layers}
    for layer in block.layers:  # the sum reads the path's end, or (identity) the block's input
        if len(layer.inputs) > 1 and (entry in layer.inputs if entry else
                                      any(i not in inside for i in layer.inputs)):
            path.add(layer.name)
    return path


def layout(arch: Architecture, expanded=frozenset()) -> Layout:
    """Place ``arch``'s blocks (the ``expanded`` ones as their layers) on a page."""
    nodes, shown_by = _visible(arch, set(expanded))
    edges = _edges(arch, shown_by)
    by_id = {n.id: n for n in nodes}
    order = {n.id: i for i, n in enumerate(nodes)}
    for e in sorted(edges, key=lambda e: order[e.target]):  # sources are ranked first
        by_id[e.target].rank = max(by_id[e.target].rank, by_id[e.source].rank + 1)
    rows: dict[int, list[Node]] = {}
    for n in nodes:
        rows.setdefault(n.rank, []).append(n)
    sources: dict[str, list[Node]] = {}
    for e in edges:
        sources.setdefault(e.target, []).append(by_id[e.source])
    y = MARGIN
    for rank in sorted(rows):
        _place_row(rows[rank], sources, y)
        y += max(n.h for n in rows[rank]) + ROW_GAP
    left = min(n.x for n in nodes)
    for n in nodes:
        n.x += MARGIN - left
    side = max(n.x + n.w for n in nodes) + 40
    labelled = set()
    for e in edges:
        _route(e, by_id[e.source], by_id[e.target], side, nodes)
        if not e.round_side:  # one label per tensor leaving a node's bottom
            e.show_label = (e.source, e.label) not in labelled
            labelled.add((e.source, e.label))
    return Layout(nodes, edges, side + 90, y + MARGIN - ROW_GAP)


def _place_row(row: list[Node], sources: dict, y: float) -> None:
    """Each node under the middle of what it reads (a chain runs straight down, a
    fork's branches spread round their source), pushed apart where they would overlap."""
    def wanted(n):
        src = sources.get(n.id)
        return sum(s.x + s.w / 2 for s in src) / len(src) if src else 0.0

    row.sort(key=wanted)
    xs = [wanted(n) - n.w / 2 for n in row]
    placed = []
    for n, x in zip(row, xs):
        if placed:
            prev = placed[-1]
            x = max(x, prev.x + prev.w + COLUMN_GAP)
        n.x, n.y = x, y
        placed.append(n)
    drift = sum(n.x - x for n, x in zip(row, xs)) / len(row)
    for n in row:  # keep the row centred on where it wanted to be
        n.x -= drift


def _route(e: Edge, s: Node, t: Node, side: float, nodes: list[Node]) -> None:
    """Straight into the target; an edge over several rows runs down its own column
    when that column is free, else round the right-hand side."""
    start = (s.x + s.w / 2, s.y + s.h)
    end = (t.x + t.w / 2, t.y)
    e.jumps = t.rank - s.rank > 1
    if not e.jumps:
        e.points = [start, end]
        return
    x = start[0]
    blocked = any(n is not s and n is not t and s.y < n.y < t.y and n.x - 6 < x < n.x + n.w + 6
                  for n in nodes)
    if not blocked:
        e.points = [start, (x, t.y - ROW_GAP / 2), end]
        return
    lane = side + 12 * (s.rank % 4)
    e.points = [(s.x + s.w, s.y + s.h / 2), (lane, s.y + s.h / 2),
                (lane, t.y + t.h / 2), (t.x + t.w, t.y + t.h / 2)]


def label_position(e: Edge) -> tuple[float, float]:
    """Top-left of an edge's shape label: just under its source (the tensor it leaves),
    or, for an edge round the side, just above where it comes back in."""
    if e.round_side:  # label where it leaves the source
        (x1, y1), (x2, _) = e.points[0], e.points[1]
        return x2 + 4, y1 - 14
    (x1, y1), (x2, y2) = e.points[0], e.points[1]
    t = 0.12  # a little way down the edge, clear of a frame's title further down
    return x1 + (x2 - x1) * t + 5, y1 + (y2 - y1) * t - 2


def to_svg(arch: Architecture, lay: Layout) -> str:
    """The laid-out architecture as an SVG document (one ``<g class="node">`` per node)."""
    top = 56
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" '
           f'height="{lay.height + top:.0f}" font-family="sans-serif">',
           '<style>.edge{fill:none;stroke:#555;stroke-width:1.4}'
           '.jump{fill:none;stroke:#c0392b;stroke-width:1.6;stroke-dasharray:5 3}'
           '.skip{fill:none;stroke:#c0392b;stroke-width:2}'
           '.skipedge{fill:none;stroke:#c0392b;stroke-width:1.6}'
           '.shape{font-size:10px;fill:#333}.title{font-size:13px;font-weight:bold}'
           '.detail{font-size:10.5px;fill:#222}</style>',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{MARGIN}" y="24" class="title">{escape(arch.name)}</text>',
           f'<text x="{MARGIN}" y="42" class="detail">{escape(totals_text(arch))}</text>',
           f'<g transform="translate(0,{top})">']
    for e in lay.edges:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
        style = "jump" if e.round_side else "skipedge" if e.skip else "edge"
        out.append(f'<path class="{style}" d="{d}"/>')
        if not e.show_label:
            continue
        lx, ly = label_position(e)
        out.append(f'<text class="shape" x="{lx:.1f}" y="{ly + 10:.1f}">{escape(e.label)}</text>')
    for n in lay.nodes:
        colour = LAYER_COLOUR if n.is_layer else KIND_COLOURS.get(n.kind, "#eee")
        cls = "node layer" if n.is_layer else "node block"
        out.append(f'<g class="{cls}" data-id="{escape(n.id)}" data-block="{escape(n.block)}" '
                   f'data-kind="{escape(n.kind)}">')
        out.append(f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.w:.0f}" height="{n.h:.0f}" '
                   f'rx="6" fill="{colour}" stroke="#444"/>')
        out.append(f'<text x="{n.x + 8:.1f}" y="{n.y + 17:.1f}" class="title">'
                   f'{escape(n.title)}</text>')
        out.append(f'<text x="{n.x + 8:.1f}" y="{n.y + n.h - 10:.1f}" class="detail">'
                   f'{escape(n.detail)}</text>')
        if n.skip:
            x = n.x + n.w
            out.append(f'<path class="skip" d="M{x - 20:.1f},{n.y - 8:.1f} C{x + 30:.1f},'
                       f'{n.y - 8:.1f} {x + 30:.1f},{n.y + n.h + 8:.1f} {x - 20:.1f},'
                       f'{n.y + n.h + 8:.1f}"/>')
        out.append('</g>')
    out.append('</g></svg>')
    return "\n".join(out)


def totals_text(arch: Architecture) -> str:
    blocks = len(arch.blocks) - (arch.preprocessing is not None)
    text = (f"{arch.params:,} parameters · {count_text(arch.macs)} MACs · depth {arch.depth} · "
            f"{arch.size_mb:.1f} MB (float32) · {blocks} blocks")
    step = arch.preprocessing
    if step is not None:
        text += (f"; before them, the app's preprocessing step ({step.params:,} fixed "
                 "weights, not counted)" if step.params else
                 "; before them, the app's preprocessing step (no weights)")
    return text


def _stage(arch: Architecture, node: Node) -> int:
    """A node's stage: the spatial side of its block's output (0 once it is a vector)."""
    return arch.block(node.block).resolution or 0


def align_stages(pairs: list[tuple[Architecture, Layout]]) -> None:
    """Shift the layouts down so each stage (56×56, 28×28, ...) starts at the same height.

    Stages are matched by the resolution of their output, so VGG16's 56×56 convs sit
    beside ResNet50's 56×56 residual blocks; vectors (dense layers, head) come last.
    """
    stages = [{n.id: _stage(arch, n) for n in lay.nodes} for arch, lay in pairs]
    keys = sorted({s for st in stages for s in st.values()}, key=lambda r: (r == 0, -r))
    shift = [0.0] * len(pairs)
    for key in keys:
        tops = {}
        for i, (_, lay) in enumerate(pairs):
            ys = [n.y for n in lay.nodes if stages[i][n.id] == key]
            if ys:
                tops[i] = min(ys) + shift[i]
        if not tops:
            continue
        target = max(tops.values())
        for i, top in tops.items():
            shift[i] += target - top
            for n in pairs[i][1].nodes:
                if stages[i][n.id] == key:
                    n.y += shift[i]
    for arch, lay in pairs:
        by_id = {n.id: n for n in lay.nodes}
        side = lay.width - 90
        for e in lay.edges:
            _route(e, by_id[e.source], by_id[e.target], side, lay.nodes)
        lay.height = max(n.y + n.h for n in lay.nodes) + MARGIN


def aligned(archs: list[Architecture], expanded: list) -> list[Layout]:
    """Layouts of several architectures, stage beside stage (the side-by-side view)."""
    lays = [layout(a, e) for a, e in zip(archs, expanded)]
    align_stages(list(zip(archs, lays)))
    return lays


def compare_rows(archs: list[Architecture]) -> list[tuple[str, list[str]]]:
    """(what, value per architecture) for the totals the side-by-side view compares."""
    def rel(values, fmt):
        base = values[0] or 1
        return [fmt(v) + ("" if i == 0 else f" ({v / base:.2g}×)") for i, v in enumerate(values)]

    return [
        ("Parameters", rel([a.params for a in archs], count_text)),
        ("MACs per image", rel([a.macs for a in archs], count_text)),
        ("Depth (conv + dense layers)", rel([a.depth for a in archs], str)),
        ("Size (float32)", rel([a.size_mb for a in archs], lambda v: f"{v:.1f} MB")),
        ("Blocks", [str(len(a.blocks)) for a in archs]),
    ]


def stage_tops(arch: Architecture, lay: Layout) -> list[tuple[str, float]]:
    """(stage label, top y) for each stage in a layout: "56×56", ..., "vectors"."""
    tops: dict[int, float] = {}
    for n in lay.nodes:
        stage = _stage(arch, n)
        tops[stage] = min(tops.get(stage, n.y), n.y)
    return [(f"{r}×{r}" if r else "vectors", y) for r, y in sorted(tops.items(),
                                                                    key=lambda kv: kv[1])]


def block_frames(lay: Layout) -> list[tuple[str, float, float, float, float]]:
    """(block, x, y, w, h) round the layers of each expanded block."""
    boxes: dict[str, list[float]] = {}
    for n in lay.nodes:
        if n.is_layer:
            b = boxes.setdefault(n.block, [n.x, n.y, n.x + n.w, n.y + n.h])
            b[:] = [min(b[0], n.x), min(b[1], n.y), max(b[2], n.x + n.w), max(b[3], n.y + n.h)]
    pad = 10
    return [(name, x0 - pad, y0 - pad - 14, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad + 14)
            for name, (x0, y0, x1, y1) in boxes.items()]
