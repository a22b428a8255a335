"""The rules that name and classify blocks (used by core.learn.architecture).

``layer_key`` reads the block a layer's name places it in (keras.applications
name every layer of a block with one prefix); ``kind_of`` decides what a group
of layers is from its structure: a concatenation that keeps its input is a
dense-block layer, other concatenations are inception modules, a sum is a
residual block, or an inverted residual when a depthwise conv sits between a
wide expansion and a linear 1x1 projection.
"""
from __future__ import annotations

import re

from core.learn.graph import Leaf

# Block-name prefixes of keras.applications (and the app's own models); first match wins.
_KEY_PATTERNS = [re.compile(p) for p in (
    r"^(block(?:35|17|8)_\d+)(?:_|$)",      # InceptionResNetV2
    r"^(conv\d+_block\d+)_",                # ResNet, ResNetV2, DenseNet
    r"^(block_\d+)_",                       # MobileNetV2
    r"^(block\d+[a-z])_",                   # EfficientNet, EfficientNetV2, Lite
    r"^(block\d+)_",                        # VGG, Xception
    r"^(expanded_conv(?:_\d+)?)_",          # MobileNetV2's first block, MobileNetV3
    r"^(mixed\d+)$",                        # InceptionV3 (the module's concatenation)
    r"^(.+_stage_\d+_block_\d+)_",          # ConvNeXt
    r"^(conv\d+|pool\d+|stem|top)_",        # ResNet / DenseNet stem and transitions, EfficientNet
)]
_MOBILENET = re.compile(r"^conv_(?:dw|pw)_(\d+)")
_NASNET = re.compile(r"(?:normal|reduction|adjust)_.*?_((?:stem_|reduce_)?\d+)$")


def layer_key(name: str) -> str | None:
    """The block a layer's name places it in, or None when the name says nothing."""
    for pattern in _KEY_PATTERNS:
        m = pattern.match(name)
        if m:
            return m.group(1)
    m = _MOBILENET.match(name)
    if m:
        return f"conv_block_{m.group(1)}"
    m = _NASNET.search(name)
    if m:
        cell = m.group(1)
        kind = "stem" if cell.startswith("stem") else "reduction" if cell.startswith("reduce") \
            else "normal"
        return f"{kind}_cell_{cell.split('_')[-1]}"
    return None


def merges(leaves, members) -> list[Leaf]:
    return [leaves[i] for i in members if leaves[i].merge_kind]


def kernels(leaves, members) -> list[Leaf]:
    return [leaves[i] for i in members if leaves[i].is_kernel]


def entry_channels(leaves, members) -> int:
    inside = set(members)
    for i in members:
        for p in leaves[i].parents:
            if p not in inside:
                return leaves[p].channels
    return 0


def kind_of(leaves, members: list[int]) -> str:
    """The kind of the block made of ``members`` (indices into ``leaves``)."""
    joins = {m.merge_kind for m in merges(leaves, members)}
    weights = kernels(leaves, members)
    if "concat" in joins:
        return "dense_block" if concat_reads_entry(leaves, members) else "inception"
    if "add" in joins:
        return "inverted_residual" if inverted(leaves, members) else "residual"
    if inverted(leaves, members):
        return "inverted_residual"
    pools = [leaves[i] for i in members if leaves[i].is_pool]
    if (len(weights) == 1 and weights[0].kernel_size in ((1, 1), (1,)) and pools
            and "Average" in pools[-1].type):
        return "transition"
    if not weights:
        return "pool" if pools else "other"
    return "conv"


def inverted(leaves, members) -> bool:
    """An MBConv: expanded inside (depthwise wider than the output), then projected."""
    out_channels = leaves[members[-1]].channels
    depthwise = [leaves[i] for i in members if leaves[i].type.startswith("DepthwiseConv")]
    weights = kernels(leaves, members)
    if depthwise:
        # A linear bottleneck: a 1x1 projection after the depthwise, with no
        # activation after it. MobileNet v1's 1x1 after each depthwise is activated.
        last = weights[-1]
        after = members[members.index(_index(leaves, last)) + 1:]
        return (last.type.startswith("Conv2D") and last.kernel_size == (1, 1)
                and not any(_is_activation(leaves[i]) for i in after))
    if len(weights) >= 2 and weights[-1].type.startswith("Conv") \
            and weights[-1].kernel_size == (1, 1):
        inner = max(k.channels for k in weights[:-1])
        return inner > out_channels and inner > entry_channels(leaves, members)
    return False


def _index(leaves, leaf) -> int:
    return next(i for i, x in enumerate(leaves) if x is leaf)


_ACTIVATIONS = ("ReLU", "Activation", "LeakyReLU", "ELU", "PReLU", "Softmax")


def _is_activation(leaf) -> bool:
    return leaf.type in _ACTIVATIONS


def concat_reads_entry(leaves, members) -> bool:
    """DenseNet: the concatenation keeps the block's own input as one of its parts."""
    inside = set(members)
    for m in merges(leaves, members):
        if m.merge_kind == "concat" and any(p not in inside for p in m.parents):
            return True
    return False


def is_plain_stage(leaves, members) -> bool:
    """VGG's ``block1`` names a stage of conv layers: show each conv on its own."""
    weights = kernels(leaves, members)
    has_pool = any(leaves[i].is_pool for i in members)
    separable = any(k.is_depthwise for k in weights)
    return not separable and (len(weights) >= 2 or (bool(weights) and has_pool))


def skip_path(leaves, members) -> list[str] | None:
    """Layers on the skip path of the block's last sum ([] for identity)."""
    inside = set(members)
    joins = merges(leaves, members)
    adds = [m for m in joins if m.merge_kind == "add"]
    if not adds or joins[-1] is not adds[-1]:  # NASNet: sums inside branches, then a concat
        return None
    paths = []
    for start in adds[-1].parents:
        path, i = [], start
        while i in inside and leaves[i].merge_kind is None:
            path.append(leaves[i].name)
            if not leaves[i].parents:
                break
            i = leaves[i].parents[0]
        paths.append(list(reversed(path)))
    return min(paths, key=len)


def branches(leaves, members) -> int:
    """How many parallel branches the block's widest concatenation joins."""
    concats = [m for m in merges(leaves, members) if m.merge_kind == "concat"]
    return max((len(m.parents) for m in concats), default=1)
