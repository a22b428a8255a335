"""How images reach a model: its input size, dtype, preprocessing and crop, read
from the model's own input and a metadata JSON beside it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.images.decode import CROP_FRACTION, WHOLE_IMAGE, crop_words
from core.models.preprocessing import FORMULAS, MODES, plain_name
from core.runtime.errors import ModelFileError

FLOAT_INPUT_MODE = "tf"
FLOAT_INPUT_CROP = 1.0
DEFAULT_SIZE = 224  # when the file leaves the input size open
SUPPORTED = ("the app runs image classifiers with one input of RGB images "
             "(batch, height, width, 3) or (batch, 3, height, width)")


@dataclass(frozen=True)
class InputRule:
    """How images reach the model: ``size`` px square, ``dtype``, ``preprocessing``
    ("inside" or a core.models.preprocessing mode applied before the model), ``crop``,
    the share of the image's shorter side it sees (core.images.decode.fit_square;
    core.images.decode.WHOLE_IMAGE: all of it, squashed) and ``layout``, "NHWC" or
    "NCHW" (channels first, as PyTorch exports are)."""

    size: int
    dtype: str
    preprocessing: str
    crop: float = CROP_FRACTION
    layout: str = "NHWC"

    def describe(self) -> str:
        """The whole rule in words: size, dtype, layout, preprocessing (its plain name,
        scale and mean/std) and crop, e.g. "224 px float32 NHWC input; preprocessing
        [-1, 1] applied before the model: x / 127.5 - 1; it sees the largest centre
        square"."""
        if self.preprocessing == "inside":
            where = "preprocessing inside the model (0-255 in)"
        else:
            name, formula = plain_name(self.preprocessing), FORMULAS[self.preprocessing]
            where = f"preprocessing {name} applied before the model" + (
                "" if formula in name else f": {formula}")
        return (f"{self.size} px {self.dtype} {self.layout} input; {where}; "
                f"it sees {crop_words(self.crop)}")


def _float_mode(meta: dict) -> str:
    mode = meta.get("preprocessing")
    return mode if mode in MODES else FLOAT_INPUT_MODE


def input_rule(shape, dtype: str, meta: dict, pixels: bool | None = None) -> InputRule:
    """The input rule read from a model's input ``shape`` and ``dtype``, else ``meta``.

    ``pixels``: the input takes raw 0-255 RGB, its preprocessing inside (default:
    a uint8 input does; a quantised uint8 input with a scale other than 1 does not)."""
    size = next((int(s) for s in shape[1:3] if isinstance(s, (int, np.integer)) and s > 0),
                int(meta.get("input_size") or DEFAULT_SIZE))
    inside = dtype == "uint8" if pixels is None else pixels
    # A float-input model from elsewhere (Teachable Machine's snippet: ImageOps.fit)
    # sees the largest centre square; this app's own models, its evaluation crop.
    crop = _crop(meta.get("crop_fraction"), CROP_FRACTION if inside else FLOAT_INPUT_CROP)
    return InputRule(size, dtype, "inside" if inside else _float_mode(meta), crop)


def _crop(value, default: float) -> float:
    """``model.json``'s ``crop_fraction``: a share in (0, 1], or 0 for the whole image
    squashed (core.images.decode.WHOLE_IMAGE); anything else: ``default``."""
    try:
        crop = float(value)
    except (TypeError, ValueError):
        return default
    return crop if crop == WHOLE_IMAGE or 0 < crop <= 1 else default


def image_input(file_name: str, inputs: list[tuple[str, list]]) -> tuple[list, bool]:
    """``(NHWC shape, channels_first)`` of the one image input ``inputs`` lists as
    ``(name, shape)``. Raises ModelFileError with a sentence saying what the app
    runs for several inputs, an input that is not images, or one-channel images."""
    if len(inputs) != 1:
        names = ", ".join(f"'{name}'" for name, _ in inputs)
        raise ModelFileError(f"{file_name} takes {len(inputs)} inputs ({names}); {SUPPORTED}.")
    name, shape = inputs[0]
    if len(shape) != 4:
        raise ModelFileError(f"{file_name} takes a {len(shape)}-dimensional input '{name}' "
                             f"{_shape(shape)}, not images; {SUPPORTED}.")
    channels_first = shape[1] in (1, 3) and shape[3] not in (1, 3)
    channels = shape[1] if channels_first else shape[3]
    if channels == 1:
        raise ModelFileError(f"{file_name} takes one-channel (greyscale) images; {SUPPORTED}: "
                             "export it with a 3-channel input.")
    if channels not in (3, None) and isinstance(channels, int) and channels > 0:
        raise ModelFileError(f"{file_name} takes images of {channels} channels; {SUPPORTED}.")
    nhwc = [shape[0], shape[2], shape[3], shape[1]] if channels_first else list(shape)
    return nhwc, channels_first


def _shape(shape) -> str:
    return "(" + ", ".join(str(d) if isinstance(d, int) and d > 0 else "any" for d in shape) + ")"
