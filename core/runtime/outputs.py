"""Which of a model file's outputs is its classification, and whether it is
probabilities or logits: decided once, when the file is opened.

Rule, in order: the output ``model.json`` names (key ``"output"``); the only
output; the only one whose last dimension equals the number of class names
(1000 when nothing names them: ImageNet's); among several such, the only one
whose name says scores (probabilities, probs, softmax, scores, predictions,
logits, output, in that order of preference). Outputs that cannot be told
apart raise :class:`ModelFileError` naming them. Scores that are not
probabilities (a value outside [0, 1], or a row not summing to 1 within
:data:`SUM_TOLERANCE`) are logits: the app softmaxes them.
"""
from __future__ import annotations

import numpy as np

from core.runtime.errors import LabelsMissing, ModelFileError

SCORE_WORDS = ("probabilities", "probs", "softmax", "scores", "predictions", "logits",
               "output")
SUM_TOLERANCE = 1e-3
IMAGENET_CLASSES = 1000


def classes_of(shape) -> int | None:
    """The number of scores an output of ``shape`` gives per image, or None when it
    does not give a row per image (a class index, a scalar) or leaves it open."""
    if len(shape) < 2:
        return None
    last = shape[-1]
    return int(last) if isinstance(last, (int, np.integer)) and last > 0 else None


def pick_output(names: list[str], shapes: list, labels: list[str] | None, meta: dict,
                file_name: str) -> int:
    """The index of the classification output among ``names`` (shapes alike),
    by the rule in the module docstring; raises :class:`ModelFileError`."""
    wanted = meta.get("output")
    if isinstance(wanted, str):
        if wanted not in names:
            raise ModelFileError(f"model.json names the output {wanted!r} but {file_name} has "
                                 f"{_listed(names)}.")
        return names.index(wanted)
    if len(names) == 1:
        return 0
    count = len(labels) if labels else IMAGENET_CLASSES
    rows = [i for i, shape in enumerate(shapes) if classes_of(shape)]
    fitting = [i for i in rows if classes_of(shapes[i]) == count] or rows
    if len(fitting) == 1:
        return fitting[0]
    for word in SCORE_WORDS:
        named = [i for i in fitting if word in names[i].lower()]
        if len(named) == 1:
            return named[0]
    raise ModelFileError(f"{file_name} has {_listed(names)} and nothing tells which one "
                         "holds the class scores: name it in a model.json beside the file, "
                         "e.g. {\"output\": \"" + names[0] + "\"}.")


def _listed(names: list[str]) -> str:
    return f"{len(names)} outputs (" + ", ".join(repr(n) for n in names) + ")"


def are_probabilities(scores: np.ndarray, step: float = 0.0) -> bool:
    """Whether every value is in [0, 1] and every row sums to 1 within SUM_TOLERANCE,
    or within the rounding of a quantised output whose values are ``step`` apart
    (an int8 softmax's rows sum to 1 only within a few 1/256ths)."""
    scores = np.asarray(scores, np.float64)
    tolerance = max(SUM_TOLERANCE, step * scores.shape[-1] / 2 + 1e-6)
    return bool(scores.min() >= -step / 2 and scores.max() <= 1 + step / 2
                and np.all(np.abs(scores.sum(axis=-1) - 1) <= tolerance))


def labels_or_imagenet(labels, outputs: int, path) -> tuple[list[str], str]:
    """``(class names, a note for the description)``: ``labels`` when given, else
    ImageNet's 1000 names for a model giving 1000 scores; else LabelsMissing."""
    if labels is not None:
        return list(labels), ""
    if outputs == IMAGENET_CLASSES:
        from core.models.imagenet import imagenet_class_names

        return list(imagenet_class_names()), "no labels beside it: ImageNet's 1000 class names"
    raise LabelsMissing(path)
