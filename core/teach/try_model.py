"""Try a model before saving it: its answer for one image the user drops or opens,
or (through :func:`live_predictor`) for each frame of a camera or a video."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress


def try_image(model, class_names, path, k: int = 5, threshold: float = 0.0,
              progress: Progress = no_progress, should_stop: ShouldStop = never_stop):
    """``(rgb, predictions)``: the image at ``path`` and the model's top ``k`` for it.

    ``model`` is a trained Keras model (raw uint8 (S, S, 3) in, class scores
    out), seen exactly as Classify will see the saved bundle: the same decoder
    and centre crop, the same "unknown" rule at ``threshold``. Raises
    ``core.images.decode.ImageError`` (a sentence) for a file that cannot be read.
    """
    from core.images.decode import fit_square, load_rgb
    from core.runtime.inference import top_k

    progress(0.1, f"Reading {Path(path).name}")
    rgb = load_rgb(path)
    check_stop(should_stop)
    size = int(model.input_shape[1])
    scores = np.asarray(model(fit_square(rgb, size)[None], training=False))[0]
    return rgb, top_k(scores, list(class_names), k, threshold)


def live_predictor(model, class_names, threshold: float = 0.0,
                   description: str = "the new model"):
    """A :class:`core.runtime.inference.Predictor` over the trained Keras ``model`` itself,
    so :func:`core.classify.camera.classify_live` can try it on a camera or a video.

    Cheap: a compiled Keras call, no LiteRT conversion (an unsaved model would
    pay the conversion again on every retrain). It sees frames as Classify will
    see the saved bundle: the same centre crop and "unknown" ``threshold``.
    """
    from core.runtime.inference import make_predictor

    return make_predictor(model, class_names, None, description, threshold=threshold)
