"""What each block of a model computes for one image: its activations.

``FeatureMaps(model, arch)`` runs an image once through the model and keeps
every block's output (one forward pass, so stepping from the stem to the
head is instant afterwards). :func:`channel_grid` lays a block's channels
side by side as one greyscale picture; a vector (a dense layer, the head)
becomes one square of values.

Works on the app's models (``image -> preprocess -> "backbone" -> [head]``,
a nested backbone one level deep) and on plain functional models. Imports
Keras lazily; :func:`load_model` prefers real ImageNet weights and says when
it had to use random ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import CROP_FRACTION, fit_square, load_rgb
from core.learn.architecture import Architecture, describe
from core.learn.graph import flatten, graph_of


@dataclass
class Explorer:
    """A model ready to show its feature maps: the model, its blocks, its weights."""

    model: object
    arch: Architecture
    pretrained: bool  # False: random weights (the activations show structure, not meaning)
    class_names: tuple[str, ...] = ()
    crop: float = CROP_FRACTION  # the share of an image the model sees when it classifies


def load_model(ref: str, progress: Progress = no_progress,
               should_stop: ShouldStop = never_stop) -> Explorer:
    """A backbone name (ImageNet weights when on this computer, else random), a bundle
    or a Keras model file."""
    from core.learn.architecture import build_model
    from core.models import backbones
    from core.runtime.model_ref import resolve

    ref = resolve(ref)
    if ref.kind != "backbone":
        model, name, meta = build_model(ref, progress)
        return Explorer(model, describe(model, name), True, tuple(meta["class_names"]),
                        float(meta.get("crop_fraction", CROP_FRACTION)))
    from core.models import build as models
    from core.models.errors import WeightsMissing
    from core.models.imagenet import imagenet_class_names

    spec = backbones.get(ref.name)
    progress(0.1, f"Building {spec.name}…")
    try:
        model, pretrained = models.build_classifier(spec.name), True
    except WeightsMissing:
        model, pretrained = models.build_classifier(spec.name, weights_choice=None), False
    check_stop(should_stop)
    names = imagenet_class_names() if spec.classes == 1000 else ()
    return Explorer(model, describe(model, spec.name), pretrained, names)


class FeatureMaps:
    """Every block's output for one image. Build once per model, call per image."""

    def __init__(self, model, arch: Architecture, crop: float = CROP_FRACTION):
        """``crop``: the share of an image the model sees (core.images.decode.fit_square),
        as its predictor classifies it."""
        import keras

        self.arch, self.crop = arch, crop
        model = graph_of(model)
        self.input_size = int(model.inputs[0].shape[1])
        leaves = {leaf.name: leaf for leaf in flatten(model)}
        self._names = [b.name for b in arch.blocks]
        wanted = [leaves[b.layers[-1].name] for b in arch.blocks]
        nested = [leaf for leaf in wanted if leaf.graph is not model]
        self._outer_names = [n for n, leaf in zip(self._names, wanted) if leaf.graph is model]
        self._inner_names = [n for n, leaf in zip(self._names, wanted) if leaf.graph is not model]
        outer = [leaf.tensor for leaf in wanted if leaf.graph is model]
        self._outer = keras.Model(model.inputs, outer) if outer else None
        self._inner = self._front = None
        if nested:
            graph = nested[0].graph
            if any(leaf.graph is not graph for leaf in nested):
                raise ValueError("models nested more than one level deep are not supported")
            self._front = keras.Model(model.inputs, _input_of(model, graph))
            self._inner = keras.Model(graph.inputs, [leaf.tensor for leaf in nested])

    def __call__(self, rgb: np.ndarray) -> dict[str, np.ndarray]:
        """Block name -> its output for ``rgb`` (any size; cropped as Classify crops it)."""
        image = fit_square(rgb, self.input_size, fraction=self.crop)[None]
        out: dict[str, np.ndarray] = {}
        if self._outer is not None:
            values = _as_list(self._outer([image], training=False))
            out.update(zip(self._outer_names, (np.asarray(v)[0] for v in values)))
        if self._inner is not None:
            values = _as_list(self._inner(self._front([image], training=False), training=False))
            out.update(zip(self._inner_names, (np.asarray(v)[0] for v in values)))
        return {name: out[name] for name in self._names}


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _input_of(model, graph):
    """The outer tensor that ``model`` feeds into its nested model ``graph``."""
    for nodes in model._nodes_by_depth.values():
        for node in nodes:
            if node.operation is graph:
                return node.input_tensors[0]
    raise ValueError(f"{graph.name} is not called by {model.name}")


def channel_grid(activation: np.ndarray, max_channels: int = 64, gap: int = 2) -> np.ndarray:
    """An (H, W) float32 picture: the first ``max_channels`` channels as tiles in [0, 1],
    NaN in the gaps between tiles.

    Each channel is scaled to its own range, so a weak channel still shows
    its pattern; a flat channel is 0. A vector (C,) becomes one square tile
    of its C values (NaN-padded), scaled together.
    """
    a = np.asarray(activation, np.float32)
    if a.ndim == 1:
        side = math.ceil(math.sqrt(a.size))
        square = np.full(side * side, np.nan, np.float32)
        square[:a.size] = _scaled(a)
        return square.reshape(side, side)
    if a.ndim != 3:
        raise ValueError(f"expected (H, W, C) or (C,), got shape {a.shape}")
    h, w, c = a.shape
    shown = min(c, max_channels)
    cols = math.ceil(math.sqrt(shown))
    rows = math.ceil(shown / cols)
    grid = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, np.float32)
    for k in range(shown):
        r, q = divmod(k, cols)
        grid[r * (h + gap):r * (h + gap) + h, q * (w + gap):q * (w + gap) + w] = \
            _scaled(a[:, :, k])
    return grid


# Dark blue -> teal -> yellow (viridis-like): weak to strong activation.
_MAP = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
                np.float32)
BACKGROUND = (240, 240, 240)


def to_rgb(grid: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 of a channel grid: a colour scale, light grey in the gaps."""
    values = np.nan_to_num(grid, nan=0.0).clip(0, 1) * (len(_MAP) - 1)
    low = np.minimum(values.astype(np.int32), len(_MAP) - 2)
    t = (values - low)[..., None]
    rgb = (_MAP[low] * (1 - t) + _MAP[low + 1] * t).astype(np.uint8)
    rgb[np.isnan(grid)] = BACKGROUND
    return rgb


def _scaled(x: np.ndarray) -> np.ndarray:
    low, high = float(x.min()), float(x.max())
    return (x - low) / (high - low) if high > low else np.zeros_like(x)


def read_image(path, progress: Progress = no_progress,
              should_stop: ShouldStop = never_stop) -> np.ndarray:
    """The job the GUI runs to open an image: ``path`` as RGB uint8 (H, W, 3), decoded
    off the GUI thread. Raises core.images.decode.ImageError (a sentence)."""
    progress(0.1, f"Reading {Path(path).name}…")
    return load_rgb(path)


def compute(explorer: Explorer, rgb: np.ndarray, progress: Progress = no_progress,
            should_stop: ShouldStop = never_stop) -> dict[str, np.ndarray]:
    """The job the GUI runs: every block's activations for one image."""
    progress(0.2, "Running the image through the model…")
    maps = FeatureMaps(explorer.model, explorer.arch, explorer.crop)
    check_stop(should_stop)
    return maps(rgb)


def gradcam_at(explorer: Explorer, rgb: np.ndarray, class_index: int, block: str,
               progress: Progress = no_progress,
              should_stop: ShouldStop = never_stop) -> np.ndarray:
    """An RGBA overlay (the size of ``rgb``) of Grad-CAM for ``class_index`` at ``block``.

    Raises core.classify.gradcam.GradCamError (a sentence) for a block outside the backbone
    or without a spatial output (the dense layers, the head).
    """
    from core.classify.gradcam import GradCam, colorize

    progress(0.1, f"Grad-CAM at {block}…")
    cam = GradCam(explorer.model, explorer.arch.block(block).layers[-1].name, explorer.crop)
    check_stop(should_stop)
    return colorize(cam(rgb, class_index))
