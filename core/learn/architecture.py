"""A Keras model as the blocks its family is known for.

``describe(model)`` reads the model's functional graph (core.learn.graph) and
groups its layers into blocks of one of :data:`KINDS`: the stem, residual
blocks with their skip edges, inception modules with their parallel branches,
inverted residuals (MBConv), dense blocks and transitions, plain conv and
pooling layers (LeNet-5, AlexNet, VGG), dense layers and the head.

How: the graph's narrow waists (points where one tensor carries everything)
cut it into units; a unit of several layers joins branches (an Add, a
Concatenate). Keras applications name each block's layers with one prefix
(``conv2_block1_``, ``block_3_``, ``block2a_``), which ties a block's
branch-free layers together; models without such names fall back to one
block per conv or dense layer. Every layer lands in exactly one block. The
app's own preprocessing (core.models.preprocessing: a fixed colour map, in caffe
mode a frozen 9-weight channel swap) is a block of its own, kind
``preprocess``, kept out of the architecture's totals, so they match Keras's
table and the papers; the other blocks' parameters sum to ``params``, and
``params + preprocessing_params`` is the whole model's count.

Keras is not imported here; ``inspect`` (a core job) builds the model.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.learn.graph import PREPROCESS_NAME, Leaf, cut_points, depth, flatten
from core.learn.kinds import branches, is_plain_stage, kernels, kind_of, layer_key, skip_path

KINDS = ("preprocess", "stem", "conv", "pool", "residual", "inception", "inverted_residual",
         "dense_block", "transition", "dense", "head", "other")
PREPROCESS = "preprocess"  # the kind of the app's preprocessing step, outside the totals
STRUCTURED = {"residual", "inception", "inverted_residual", "dense_block", "transition"}

@dataclass
class Layer:
    name: str
    type: str
    params: int
    macs: int
    output_shape: list
    inputs: list[str]  # names of the layers it reads
    kernel_size: list = field(default_factory=list)  # a conv's or pool's window, [] otherwise
    strides: list = field(default_factory=list)  # its step ([] for other layers)

    @property
    def window_text(self) -> str:
        """A conv's or pooling layer's window and step, e.g. "3×3 /2" or "1×1" ("" for
        other layers): 1×1 against 3×3 and depthwise convs are the lesson."""
        if not self.kernel_size:
            return ""
        text = "×".join(map(str, self.kernel_size))
        steps = sorted(set(self.strides))
        if steps and steps != [1]:
            text += " /" + (str(steps[0]) if len(steps) == 1 else "×".join(map(str, self.strides)))
        return text

    @property
    def type_text(self) -> str:
        """The Keras type with its window, e.g. "DepthwiseConv2D 3×3 /2"."""
        return f"{self.type} {self.window_text}".rstrip()


@dataclass
class Block:
    name: str
    kind: str
    params: int
    macs: int
    output_shape: list
    inputs: list[str]  # names of the blocks it reads
    layers: list[Layer] = field(default_factory=list)
    skip: list[str] | None = None  # layers on the skip path ([] identity), None: no skip
    branches: int = 1  # parallel branches joined inside the block

    @property
    def resolution(self) -> int | None:
        """Spatial side of the output (None for vectors): aligns stages across models."""
        dims = [d for d in self.output_shape[:-1] if d is not None]
        return max(dims) if dims and max(dims) > 1 else None


@dataclass
class Architecture:
    name: str
    params: int  # the architecture's own: without the preprocessing step
    macs: int
    depth: int  # conv and dense layers on the longest path
    input_shape: list
    blocks: list[Block]

    @property
    def preprocessing(self) -> Block | None:
        """The app's preprocessing step in front of the architecture, if the model has one."""
        return next((b for b in self.blocks if b.kind == PREPROCESS), None)

    @property
    def preprocessing_params(self) -> int:
        """Weights of the preprocessing step (9 for caffe's channel swap, else 0)."""
        return self.preprocessing.params if self.preprocessing else 0

    @property
    def size_mb(self) -> float:
        return self.params * 4 / 2**20

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for b in self.blocks:
            out[b.kind] = out.get(b.kind, 0) + 1
        return out

    def to_json(self, layers: bool = False) -> dict:
        """The ``inspect --format json`` document."""
        keys = ("name", "kind", "params", "macs", "output_shape", "inputs")
        blocks = []
        for b in self.blocks:
            entry = {k: getattr(b, k) for k in keys}
            entry["skip"] = b.skip
            if layers:
                entry["layers"] = [asdict(layer) for layer in b.layers]
            blocks.append(entry)
        return {"name": self.name, "params": self.params, "macs": self.macs,
                "preprocessing_params": self.preprocessing_params, "depth": self.depth,
                "size_mb": round(self.size_mb, 2), "input_shape": self.input_shape,
                "blocks": blocks}


# --- grouping ---------------------------------------------------------------

@dataclass
class _Group:
    key: str | None
    members: list[int]
    kind: str = ""
    name: str = ""


def describe(model, name: str | None = None) -> Architecture:
    """Group a built Keras model's layers into blocks (fast: no forward pass)."""
    leaves = flatten(model)
    groups = _group(leaves)
    blocks = _blocks(leaves, groups)
    counted = [b for b in blocks if b.kind != PREPROCESS]
    return Architecture(name or model.name, sum(b.params for b in counted),
                        sum(b.macs for b in counted), depth(leaves),
                        list(leaves[0].output_shape), blocks)


def _group(leaves: list[Leaf]) -> list[_Group]:
    n = len(leaves)
    head_start = max((i for i, leaf in enumerate(leaves) if leaf.spatial > 1
                      and len(leaf.output_shape) >= 3), default=-1) + 1
    body_start = next((i for i, leaf in enumerate(leaves[:head_start])
                       if (leaf.is_kernel or leaf.is_pool or leaf.is_padding
                           or layer_key(leaf.name)) and leaf.name != PREPROCESS_NAME),
                      head_start)
    front = [i for i in range(body_start) if leaves[i].name != PREPROCESS_NAME]
    groups = [_Group("input", front, "other", "input")] if front else []
    groups += [_Group(PREPROCESS, [i], PREPROCESS, PREPROCESS) for i in range(body_start)
               if leaves[i].name == PREPROCESS_NAME]
    groups += _body_groups(leaves, _units(leaves, body_start, head_start))
    groups = _classify(leaves, groups)
    groups += _head_groups(leaves, range(head_start, n))
    _name(leaves, groups)
    return groups


def _units(leaves, start: int, end: int) -> list[list[int]]:
    """[start, end) cut at the graph's narrow waists."""
    units, current = [], []
    cuts = set(cut_points(leaves))
    for i in range(start, end):
        current.append(i)
        if i in cuts:
            units.append(current)
            current = []
    if current:
        units.append(current)
    return units


def _pieces(leaves, unit: list[int]) -> list[tuple[str | None, list[int]]]:
    """A unit as (key, members); a unit spanning several named blocks (NASNet) is split."""
    keys = {i: layer_key(leaves[i].name) for i in unit}
    if len({k for k in keys.values() if k}) <= 1:
        key = next((k for k in keys.values() if k), None)
        return [(key, unit)]
    inside = set(unit)
    children: dict[int, list[int]] = {}
    for i in unit:
        for p in leaves[i].parents:
            children.setdefault(p, []).append(i)
    for i in reversed(unit):  # an unnamed layer joins the block that reads it
        if keys[i] is None:
            keys[i] = next((keys[c] for c in children.get(i, []) if c in inside and keys[c]),
                           None)
    for i in unit:  # ... or, failing that, the block it reads
        if keys[i] is None:
            keys[i] = next((keys[p] for p in leaves[i].parents if p in inside and keys[p]),
                           None)
    order: dict[str | None, list[int]] = {}
    for i in unit:
        order.setdefault(keys[i], []).append(i)
    return list(order.items())


def _body_groups(leaves, units) -> list[_Group]:
    groups: list[_Group] = []
    pending: list[int] = []  # padding waits for the layer it pads
    for unit in units:
        for key, piece in _pieces(leaves, unit):
            members, pending = pending + piece, []
            leaf = leaves[piece[-1]]
            if key and groups and groups[-1].key == key:
                groups[-1].members += members
            elif key or len(piece) > 1 or leaf.is_kernel or leaf.is_pool or not groups:
                groups.append(_Group(key, members))
            elif leaf.is_padding:
                pending = members
            else:
                groups[-1].members += members
    if pending:
        groups.append(_Group(None, pending))
    return groups


def _classify(leaves, groups: list[_Group]) -> list[_Group]:
    out: list[_Group] = []
    for g in groups:
        if g.kind:
            out.append(g)
            continue
        g.kind = kind_of(leaves, g.members)
        if g.kind == "conv" and is_plain_stage(leaves, g.members):
            out += _split_per_layer(leaves, g.members)
        elif g.kind == "dense_block" and out and out[-1].kind == "dense_block" \
                and _stage_of(out[-1].key) == _stage_of(g.key):
            out[-1].members += g.members
        else:
            out.append(g)
    return _stem(leaves, out)


def _stage_of(key: str | None) -> str | None:
    return key.split("_block")[0] if key and "_block" in key else key


def _split_per_layer(leaves, members) -> list[_Group]:
    parts: list[_Group] = []
    for i in members:
        leaf = leaves[i]
        if leaf.is_kernel or leaf.is_pool or not parts:
            kind = "conv" if leaf.is_kernel else "pool" if leaf.is_pool else "other"
            parts.append(_Group(None, [i], kind))
        else:
            parts[-1].members.append(i)
    return parts


def _stem(leaves, groups: list[_Group]) -> list[_Group]:
    """Everything before the first family block is the stem (when the model has such blocks)."""
    def structured(g):
        return g.kind in STRUCTURED or any(k.is_depthwise for k in kernels(leaves, g.members))

    first = next((i for i, g in enumerate(groups) if structured(g)), None)
    start = next((i for i, g in enumerate(groups)
                  if not (g.kind == PREPROCESS or (g.kind == "other" and g.name == "input"))),
                 len(groups))
    if first is None or first - start < 1:
        return groups
    stem = _Group("stem", [i for g in groups[start:first] for i in g.members], "stem", "stem")
    return groups[:start] + [stem] + groups[first:]


def _head_groups(leaves, indices) -> list[_Group]:
    """After the last feature map: dense layers, and the head (the last dense layer on)."""
    parts: list[_Group] = []
    lead: list[int] = []
    for i in indices:
        if leaves[i].is_kernel:
            parts.append(_Group(None, lead + [i], "dense"))
            lead = []
        elif parts:
            parts[-1].members.append(i)
        else:
            lead.append(i)
    if not parts:
        return [_Group("head", lead, "head")] if lead else []
    parts[-1].kind = "head"
    return parts


def _name(leaves, groups: list[_Group]) -> None:
    used: dict[str, int] = {}
    dense_blocks = 0
    for g in groups:
        if g.kind == "dense_block":
            dense_blocks += 1
            name = f"dense_block{dense_blocks}"
        elif g.name:
            name = g.name
        elif g.key and g.kind != "conv":
            name = g.key
        else:
            wanted = (lambda x: x.is_kernel) if g.kind in ("dense", "head") else (
                lambda x: x.is_kernel or x.is_pool)
            anchor = next((leaves[i] for i in g.members if wanted(leaves[i])),
                          leaves[g.members[-1]])
            name = g.key or anchor.name
        n = used.get(name, 0)
        used[name] = n + 1
        g.name = f"{name}_{n + 1}" if n else name


def _blocks(leaves, groups: list[_Group]) -> list[Block]:
    block_of: dict[int, str] = {}
    for g in groups:
        g.members.sort()
        for i in g.members:
            block_of[i] = g.name
    blocks = []
    for g in groups:
        inside = set(g.members)
        layers, inputs = [], []
        for i in g.members:
            leaf = leaves[i]
            layers.append(Layer(leaf.name, leaf.type, leaf.params, leaf.macs,
                                list(leaf.output_shape), [leaves[p].name for p in leaf.parents],
                                list(leaf.kernel_size or leaf.pool_size),
                                list(leaf.strides) if leaf.kernel_size or leaf.pool_size else []))
            for p in leaf.parents:
                if p not in inside and block_of[p] not in inputs:
                    inputs.append(block_of[p])
        out = leaves[g.members[-1]]
        blocks.append(Block(g.name, g.kind, sum(x.params for x in layers),
                            sum(x.macs for x in layers), list(out.output_shape), inputs,
                            layers, skip_path(leaves, g.members), branches(leaves, g.members)))
    return blocks


# --- the job ----------------------------------------------------------------

def build_model(ref: str, progress: Progress = no_progress):
    """``(keras_model, name, meta)`` for a backbone name (random weights, offline),
    a bundle or a Keras model file (core.runtime.model_ref); ``meta`` holds at least
    ``class_names`` (core.runtime.loading.load_keras_model). Raises ``UnknownBackbone``
    or ``ModelFileError`` with a sentence (a .tflite or .onnx file has no Keras graph)."""
    from core.runtime.loading import load_keras_model
    from core.runtime.model_ref import resolve

    model = resolve(ref)
    if model.kind != "backbone":
        keras_model, meta = load_keras_model(model, progress, labels_required=False)
        name = model.name if model.kind == "bundle" else model.path.stem
        return keras_model, name, meta
    progress(0.0, f"Building {model.name}…")
    from core.models import build as models
    return (models.build_classifier(model.name, weights_choice=None), model.name,
            {"class_names": []})


def inspect(ref: str, progress: Progress = no_progress,
            should_stop: ShouldStop = never_stop) -> Architecture:
    """Build ``ref`` (a backbone name or a bundle folder) and describe it."""
    model, name, _ = build_model(ref, progress)
    check_stop(should_stop)
    progress(0.9, "Grouping layers into blocks…")
    arch = describe(model, name)
    progress(1.0, "Done")
    return arch
