"""Try a model before saving it: its answer for one image the user drops or opens,
or for each frame of a camera or a video, through :func:`live_predictor`."""
from __future__ import annotations

from pathlib import Path

from core.base.jobs import Progress, ShouldStop, never_stop, no_progress
from core.classify.image import classify_image
from core.runtime.inference import make_predictor, top_k


def try_image(predictor, path, k: int = 5, progress: Progress = no_progress,
              should_stop: ShouldStop = never_stop):
    """``(rgb, predictions)``: the image at ``path`` and ``predictor``'s top ``k`` for it.

    ``predictor`` is the trained model as :func:`live_predictor` wraps it; the
    image goes through core.classify.image.classify_image, so the model sees it
    exactly as Classify will see the saved bundle (the same decoder and centre
    crop, the same "unknown" rule at the predictor's threshold). Raises
    ``core.images.decode.ImageError`` (a sentence) for a file that cannot be read.
    """
    progress(0.1, f"Reading {Path(path).name}")
    image = classify_image(predictor, path, should_stop=should_stop)
    return image.rgb, top_k(image.scores, predictor.class_names, k, predictor.threshold)


def live_predictor(model, class_names, threshold: float = 0.0,
                   description: str = "the new model"):
    """A :class:`core.runtime.inference.Predictor` over the trained Keras ``model`` itself,
    so :func:`try_image` and :func:`core.classify.camera.classify_live` can try it.

    Cheap: a compiled Keras call, no LiteRT conversion (an unsaved model would
    pay the conversion again on every retrain). It sees frames as Classify will
    see the saved bundle: the same centre crop and "unknown" ``threshold``.
    """
    return make_predictor(model, class_names, None, description, threshold=threshold)
