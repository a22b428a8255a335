"""core.learn's grouping on small hand-built graphs: no Keras, each kind of block on its own.

core.learn.graph reads a functional model through a few attributes (its
``_nodes_by_depth``, each node's operation and tensors, each tensor's
``_keras_history``); :class:`SmallGraph` offers just those, so residual, inception,
dense and inverted-residual blocks are checked in milliseconds. tests/core's
test_architecture checks the same rules on the real keras.applications models.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from math import prod
from types import SimpleNamespace

import pytest

from core.learn.architecture import KINDS, describe
from core.learn.kinds import layer_key
from core.learn.layout import layout, to_svg

_OPS: dict[str, type] = {}


class Op:
    """A layer: the graph reads its class name, parameters, kernel and kernel size."""

    def __init__(self, name, params=0, kernel_shape=None, kernel_size=()):
        self.name = name
        self.params = params
        if kernel_shape is not None:
            self.kernel = SimpleNamespace(shape=kernel_shape)
        self.kernel_size = kernel_size

    def count_params(self):
        return self.params


def op(type_name: str, *args, **kwargs) -> Op:
    """An Op whose class is named like the Keras layer (``type(op).__name__``)."""
    cls = _OPS.setdefault(type_name, type(type_name, (Op,), {}))
    return cls(*args, **kwargs)


class Tensor:
    def __init__(self, shape, made_by):
        self.shape = (None, *shape)
        self._keras_history = (made_by, 0, 0)

    @property
    def side(self) -> int:
        return self.shape[1]

    @property
    def channels(self) -> int:
        return self.shape[-1]


class SmallGraph:
    """A functional model built layer by layer, in the shape core.learn.graph walks."""

    def __init__(self, name: str, input_shape: tuple):
        self.name = name
        self.inputs = [Tensor(input_shape, op("InputLayer", "input"))]
        self.nodes = []

    @property
    def _nodes_by_depth(self) -> dict:
        """One node per depth, the first layer deepest (Keras counts depth from the output)."""
        return {len(self.nodes) - i: [node] for i, node in enumerate(self.nodes)}

    def _add(self, layer: Op, inputs: list[Tensor], shape: tuple) -> Tensor:
        out = Tensor(shape, layer)
        self.nodes.append(SimpleNamespace(operation=layer, is_input=False,
                                          input_tensors=inputs, output_tensors=[out]))
        return out

    def conv(self, name, x, filters, k=3, stride=1, padding="same"):
        side = x.side // stride if padding == "same" else x.side - k + 1
        kernel = (k, k, x.channels, filters)
        return self._add(op("Conv2D", name, prod(kernel) + filters, kernel, (k, k)), [x],
                         (side, side, filters))

    def depthwise(self, name, x, k=3):
        params = k * k * x.channels + x.channels
        return self._add(op("DepthwiseConv2D", name, params, None, (k, k)), [x], x.shape[1:])

    def dense(self, name, x, units):
        kernel = (x.channels, units)
        return self._add(op("Dense", name, prod(kernel) + units, kernel), [x], (units,))

    def relu(self, name, x):
        return self._add(op("ReLU", name), [x], x.shape[1:])

    def add(self, name, *xs):
        return self._add(op("Add", name), list(xs), xs[0].shape[1:])

    def concat(self, name, *xs):
        channels = sum(x.channels for x in xs)
        return self._add(op("Concatenate", name), list(xs), (xs[0].side, xs[0].side, channels))

    def pool(self, name, x, kind="MaxPooling2D"):
        return self._add(op(kind, name), [x], (x.side // 2, x.side // 2, x.channels))

    def global_pool(self, name, x):
        return self._add(op("GlobalAveragePooling2D", name), [x], (x.channels,))

    def flatten(self, name, x):
        return self._add(op("Flatten", name), [x], (prod(x.shape[1:]),))


def head(g: SmallGraph, x: Tensor, classes: int = 10) -> None:
    g.dense("predictions", g.global_pool("avg_pool", x), classes)


def residual(g, x, stage, block, stride=1):
    """A ResNet basic block; the stage's first block projects its skip with a 1x1 conv."""
    prefix = f"conv{stage}_block{block}"
    y = g.relu(f"{prefix}_1_relu", g.conv(f"{prefix}_1_conv", x, 16, 1, stride))
    y = g.conv(f"{prefix}_2_conv", y, 16)
    skip = g.conv(f"{prefix}_0_conv", x, 16, 1, stride) if stride > 1 else x
    return g.relu(f"{prefix}_out", g.add(f"{prefix}_add", skip, y))


def resnet() -> SmallGraph:
    g = SmallGraph("tiny_resnet", (32, 32, 3))
    x = g.relu("stem_relu", g.conv("stem_conv", g.inputs[0], 16))
    x = residual(g, x, 2, 1)
    x = residual(g, x, 2, 2)
    x = residual(g, x, 3, 1, stride=2)
    head(g, x)
    return g


def blocks_by_kind(arch) -> list[tuple[str, str]]:
    return [(b.name, b.kind) for b in arch.blocks]


@pytest.mark.parametrize("layer, key", [
    ("conv2_block1_1_conv", "conv2_block1"), ("block_3_expand", "block_3"),
    ("block2a_dwconv", "block2a"), ("block1_conv1", "block1"), ("mixed7", "mixed7"),
    ("expanded_conv_project", "expanded_conv"), ("conv_dw_5", "conv_block_5"),
    ("block35_2_conv", "block35_2"), ("stem_conv", "stem"), ("predictions", None),
])
def test_a_layers_name_places_it_in_its_block(layer, key):
    assert layer_key(layer) == key


def test_residual_blocks_keep_their_skip_and_sum_to_the_model():
    arch = describe(resnet())
    assert blocks_by_kind(arch) == [
        ("input", "other"), ("stem", "stem"), ("conv2_block1", "residual"),
        ("conv2_block2", "residual"), ("conv3_block1", "residual"), ("predictions", "head")]
    assert arch.block("conv2_block2").skip == []  # identity
    assert arch.block("conv3_block1").skip == ["conv3_block1_0_conv"]  # projected
    assert arch.block("conv3_block1").inputs == ["conv2_block2"]
    assert arch.block("conv3_block1").resolution == 16
    assert arch.params == sum(b.params for b in arch.blocks) == sum(
        n.operation.params for n in resnet().nodes)
    assert arch.depth == 1 + 2 + 2 + 2 + 1  # the projection is beside the path, not on it
    assert all(b.kind in KINDS for b in arch.blocks)
    assert arch.counts()["residual"] == 3
    assert [b["name"] for b in arch.to_json()["blocks"]] == [b.name for b in arch.blocks]


def test_parallel_branches_joined_by_a_concatenation_are_an_inception_module():
    g = SmallGraph("tiny_inception", (16, 16, 8))
    x = g.conv("conv2d", g.inputs[0], 8)
    one = g.conv("conv2d_1", x, 4, 1)
    three = g.conv("conv2d_3", g.conv("conv2d_2", x, 4, 1), 4)
    pooled = g.conv("conv2d_4", g.pool("average_pooling2d", x, "AveragePooling2D"), 4, 1)
    head(g, g.concat("mixed0", one, three, pooled))
    arch = describe(g)
    module = arch.block("mixed0")
    assert module.kind == "inception" and module.branches == 3
    assert module.output_shape == [16, 16, 12]


def test_concatenations_that_keep_their_input_are_one_dense_block_then_a_transition():
    g = SmallGraph("tiny_densenet", (16, 16, 8))
    x = g.relu("conv1_relu", g.conv("conv1_conv", g.inputs[0], 8))
    for n in (1, 2):
        x = g.concat(f"conv2_block{n}_concat", x, g.conv(f"conv2_block{n}_1_conv", x, 4))
    x = g.pool("pool2_pool", g.conv("pool2_conv", x, 8, 1), "AveragePooling2D")
    head(g, x)
    arch = describe(g)
    assert blocks_by_kind(arch)[2:] == [("dense_block1", "dense_block"),
                                        ("pool2", "transition"), ("predictions", "head")]
    assert arch.block("dense_block1").output_shape == [16, 16, 16]


def test_expand_depthwise_project_is_an_inverted_residual():
    g = SmallGraph("tiny_mobilenet", (16, 16, 16))
    x = g.inputs[0]
    y = g.relu("block_1_expand_relu", g.conv("block_1_expand", x, 96, 1))
    y = g.relu("block_1_depthwise_relu", g.depthwise("block_1_depthwise", y))
    y = g.conv("block_1_project", y, 16, 1)  # linear: no activation after it
    head(g, g.add("block_1_add", x, y))
    block = describe(g).block("block_1")
    assert block.kind == "inverted_residual" and block.skip == []
    assert block.macs == 16 * 16 * (16 * 96 + 96 * 9 + 96 * 16)


def test_an_activated_pointwise_after_a_depthwise_is_a_plain_conv_block():
    g = SmallGraph("tiny_mobilenet_v1", (16, 16, 8))
    y = g.relu("conv_dw_1_relu", g.depthwise("conv_dw_1", g.inputs[0]))
    head(g, g.relu("conv_pw_1_relu", g.conv("conv_pw_1", y, 16, 1)))
    assert describe(g).block("conv_block_1").kind == "conv"


def test_a_plain_sequential_model_becomes_conv_pool_and_head():
    g = SmallGraph("digits", (28, 28, 1))
    x = g.pool("p1", g.conv("c1", g.inputs[0], 8, padding="valid"))
    g.dense("digits", g.flatten("flat", x), 10)
    arch = describe(g)
    assert blocks_by_kind(arch) == [("input", "other"), ("c1", "conv"), ("p1", "pool"),
                                    ("digits", "head")]
    assert arch.blocks[1].macs == 26 * 26 * 8 * 9  # 3x3x1 kernel at every output position
    assert arch.name == "digits" and arch.input_shape == [28, 28, 1]


def test_layout_and_svg_show_one_node_per_visible_block():
    arch = describe(resnet())
    plain = layout(arch)
    assert [n.id for n in plain.nodes] == [b.name for b in arch.blocks]
    opened = layout(arch, {"conv2_block2"})
    assert len(opened.nodes) == len(arch.blocks) - 1 + len(arch.block("conv2_block2").layers)
    # the identity skip jumps from the block before to the Add, round the side
    assert any(e.round_side and e.source == "conv2_block1" and e.target == "conv2_block2_add"
               for e in opened.edges)
    projection = layout(arch, {"conv3_block1"})
    red = {(e.source, e.target) for e in projection.edges if e.skip}
    assert red == {("conv2_block2", "conv3_block1_0_conv"),
                   ("conv3_block1_0_conv", "conv3_block1_add")}
    root = ET.fromstring(to_svg(arch, opened))
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if "node" in g.get("class", "").split()]
    assert len(groups) == len(opened.nodes)
    assert "32×32×16" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
