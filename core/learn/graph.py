"""The layer graph of a Keras model, flattened: what core.learn.architecture groups.

A *leaf* is one operation that computes something (a layer, or an op such as
``x + y`` that Keras 3 records in a functional graph). Nested functional
models (the app's ``"backbone"``) are opened up, so a classifier's leaves run
from the image input through the backbone's layers to its head. A nested
``Sequential`` (ConvNeXt's stem) stays one leaf. Leaves come in an order
where every leaf follows the leaves it reads from.

Keras is only touched through the objects passed in; nothing here imports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

KERNEL_TYPES = ("Conv1D", "Conv2D", "Conv3D", "Dense", "DepthwiseConv", "SeparableConv")
# The app's input block (core.models.preprocessing.LAYER_NAME): a fixed colour map, not a layer
# the model learns, though caffe mode implements it as a frozen 1x1 convolution.
PREPROCESS_NAME = "preprocess"


@dataclass
class Leaf:
    """One operation of the flattened graph."""

    name: str
    type: str  # the Keras class name, e.g. "Conv2D", "Add"
    params: int
    macs: int
    output_shape: tuple  # without the batch dimension
    parents: list[int]  # indices of the leaves it reads, in argument order
    op: object = field(repr=False, default=None)
    tensor: object = field(repr=False, default=None)  # its output in its own graph
    graph: object = field(repr=False, default=None)  # the (sub)model that tensor lives in
    kernel_size: tuple = ()
    strides: tuple = ()  # a conv's or a pooling window's step, () for other layers
    pool_size: tuple = ()  # a pooling layer's window (global pooling has none)

    @property
    def is_kernel(self) -> bool:
        """Conv or dense: a layer with a weight kernel (BatchNorm is not one)."""
        if self.name == PREPROCESS_NAME:
            return False
        return self.macs > 0 or self.type.startswith(KERNEL_TYPES)

    @property
    def is_pool(self) -> bool:
        return "Pooling" in self.type

    @property
    def is_padding(self) -> bool:
        return "Padding" in self.type

    @property
    def is_depthwise(self) -> bool:
        return self.type.startswith(("DepthwiseConv", "SeparableConv"))

    @property
    def channels(self) -> int:
        return int(self.output_shape[-1]) if self.output_shape else 0

    @property
    def spatial(self) -> int:
        """The largest spatial side of the output (1 for vectors)."""
        dims = [d for d in self.output_shape[:-1] if d is not None]
        return max(dims) if dims else 1

    @property
    def merge_kind(self) -> str | None:
        """'concat', 'gate' (multiply) or 'add' for an op joining several tensors."""
        if len(self.parents) < 2:
            return None
        lowered = self.type.lower()
        if "concat" in lowered:
            return "concat"
        if "multiply" in lowered:
            return "gate"
        return "add"


def _shape(tensor) -> tuple:
    return tuple(int(d) if d is not None else None for d in tensor.shape[1:])


def _is_functional(op) -> bool:
    return hasattr(op, "_nodes_by_depth") and type(op).__name__ != "Sequential"


def graph_of(model):
    """The functional graph of ``model`` (a built Sequential keeps one inside)."""
    if hasattr(model, "_nodes_by_depth"):
        return model
    inner = getattr(model, "_functional", None)
    if inner is None:
        raise ValueError(f"'{model.name}' has no layer graph yet (it was never built).")
    return inner


def flatten(model) -> list[Leaf]:
    """The model's leaves in execution order (inputs first)."""
    model = graph_of(model)
    leaves: list[Leaf] = []
    owner: dict[int, int] = {}  # id(tensor) -> index of the leaf that made it
    seen_ops: set[int] = set()
    for tensor in model.inputs:
        layer = tensor._keras_history[0]
        owner[id(tensor)] = len(leaves)
        leaves.append(Leaf(layer.name, "InputLayer", 0, 0, _shape(tensor), [], layer,
                           tensor, model))
    _walk(model, owner, leaves, seen_ops)
    _unique_names(leaves)
    return leaves


def _walk(function, owner: dict, leaves: list, seen_ops: set) -> None:
    by_depth = function._nodes_by_depth
    for depth in sorted(by_depth, reverse=True):
        for node in by_depth[depth]:
            op = node.operation
            if node.is_input or op is None:
                continue
            inputs = list(node.input_tensors)
            if _is_functional(op):
                for inner, outer in zip(op.inputs, inputs):
                    owner[id(inner)] = owner.get(id(outer))
                _walk(op, owner, leaves, seen_ops)
                for inner, outer in zip(op.outputs, node.output_tensors):
                    owner[id(outer)] = owner.get(id(inner))
                continue
            parents = []
            for t in inputs:
                p = owner.get(id(t))
                if p is not None and p not in parents:
                    parents.append(p)
            outputs = list(node.output_tensors)
            first_use = id(op) not in seen_ops
            seen_ops.add(id(op))
            params = op.count_params() if first_use and hasattr(op, "count_params") else 0
            in_shapes = [_shape(t) for t in inputs]
            out_shape = _shape(outputs[0])
            macs = 0 if op.name == PREPROCESS_NAME else macs_of(op, in_shapes, out_shape)
            index = len(leaves)
            leaves.append(Leaf(op.name, type(op).__name__, int(params),
                               int(macs), out_shape, parents,
                               op, outputs[0], function,
                               *_window(op)))
            for t in outputs:
                owner[id(t)] = index


def _window(op) -> tuple[tuple, tuple, tuple]:
    """``(kernel_size, strides, pool_size)`` from a layer's attributes, () where absent."""
    def read(attr):
        value = getattr(op, attr, None) or ()
        return (value,) if isinstance(value, int) else tuple(value)

    return read("kernel_size"), read("strides"), read("pool_size")


def _unique_names(leaves: list[Leaf]) -> None:
    seen: dict[str, int] = {}
    for leaf in leaves:
        n = seen.get(leaf.name, 0)
        seen[leaf.name] = n + 1
        if n:
            leaf.name = f"{leaf.name}_{n}"


def macs_of(op, in_shapes: list[tuple], out_shape: tuple) -> int:
    """Multiply-adds of one call of ``op`` for one image (0 for layers without a kernel)."""
    inner = getattr(op, "layers", None)
    if inner is not None and in_shapes:  # a nested Sequential: walk its layers
        total, shape = 0, (None, *in_shapes[0])
        for layer in inner:
            out = tuple(layer.compute_output_shape(shape))
            total += macs_of(layer, [tuple(shape[1:])], tuple(out[1:]))
            shape = out
        return total
    kind = type(op).__name__
    out_positions = prod(d or 1 for d in out_shape[:-1]) if out_shape else 1
    if kind.startswith("DepthwiseConv"):
        return out_positions * out_shape[-1] * prod(op.kernel_size)
    if kind.startswith("SeparableConv"):
        cin = in_shapes[0][-1]
        middle = cin * op.depth_multiplier
        return out_positions * (middle * prod(op.kernel_size) + middle * out_shape[-1])
    kernel = getattr(op, "kernel", None)
    if kernel is None or not hasattr(kernel, "shape"):
        return 0
    if kind.startswith("Conv") and "Transpose" in kind:
        in_positions = prod(d or 1 for d in in_shapes[0][:-1])
        return in_positions * prod(kernel.shape)
    if kind.startswith(KERNEL_TYPES):
        # (kh, kw, cin / groups, cout) or (in, out): one multiply-add per weight and position
        return out_positions * prod(int(d) for d in kernel.shape)
    return 0


def cut_points(leaves: list[Leaf]) -> list[int]:
    """Indices after which exactly one tensor is still needed: the graph's narrow waists."""
    n = len(leaves)
    last_use = {}
    for i, leaf in enumerate(leaves):
        for p in leaf.parents:
            last_use[p] = i
    ends_at: dict[int, list[int]] = {}
    for j, i in last_use.items():
        ends_at.setdefault(i, []).append(j)
    live, cuts = 0, []
    for i in range(n):
        live += 1  # its own output (outputs with no reader stay live to the end)
        live -= len(ends_at.get(i, ()))
        if live == 1:
            cuts.append(i)
    return cuts


def depth(leaves: list[Leaf]) -> int:
    """Conv and dense layers on the longest path from input to output."""
    best = [0] * len(leaves)
    for i, leaf in enumerate(leaves):
        before = max((best[p] for p in leaf.parents), default=0)
        best[i] = before + (1 if leaf.is_kernel else 0)
    return max(best, default=0)
