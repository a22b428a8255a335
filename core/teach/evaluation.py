"""How good a model is: accuracy, per-class scores, confusion, mistakes.

:func:`evaluate_scores` turns a model's scores into an :class:`Evaluation`;
:func:`evaluate_model` runs a model (or a :class:`core.runtime.inference.Predictor`)
over labelled images first. Plain numpy; no TensorFlow import here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from core.base.jobs import Cancelled, Progress, ShouldStop, never_stop, no_progress
from core.images.decode import ImageError, load_for_model


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one class; ``support`` = its true samples."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ScoredSample:
    """One evaluated sample: its true and predicted class and the top score."""

    path: str
    true: str
    predicted: str
    score: float


@dataclass
class Evaluation:
    """The outcome of scoring labelled samples.

    ``confusion[i][j]`` counts samples of true class i predicted as class j
    (rows true, columns predicted, in ``class_names`` order); it sums to
    ``count``. ``misclassified`` is sorted by score, most confident first.
    ``skipped`` lists (path, reason) for images that could not be read.
    """

    class_names: list[str]
    accuracy: float
    classes: list[ClassScores]
    confusion: list[list[int]]
    predictions: list[ScoredSample]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.predictions)

    @property
    def misclassified(self) -> list[ScoredSample]:
        wrong = [p for p in self.predictions if p.true != p.predicted]
        return sorted(wrong, key=lambda p: p.score, reverse=True)

    def cell(self, true: str, predicted: str) -> list[ScoredSample]:
        """The samples counted in one confusion-matrix cell."""
        return [p for p in self.predictions if p.true == true and p.predicted == predicted]

    def to_dict(self) -> dict:
        """JSON-ready: accuracy, classes, confusion, misclassified, skipped."""
        return {
            "accuracy": self.accuracy,
            "count": self.count,
            "class_names": self.class_names,
            "classes": [asdict(c) for c in self.classes],
            "confusion": self.confusion,
            "misclassified": [asdict(p) for p in self.misclassified],
            "skipped": [{"path": p, "error": r} for p, r in self.skipped],
        }


def evaluate_scores(scores: np.ndarray, true_indices: Sequence[int],
                    class_names: Sequence[str], paths: Sequence | None = None) -> Evaluation:
    """Evaluate ``scores`` (N, classes) against true class indices (N,)."""
    scores = np.asarray(scores, dtype=np.float64).reshape(len(true_indices), len(class_names))
    true = np.asarray(true_indices, dtype=int)
    predicted = scores.argmax(axis=1) if len(true) else np.zeros(0, int)
    k = len(class_names)
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (true, predicted), 1)
    classes = []
    for i, name in enumerate(class_names):
        hits, said, actual = confusion[i, i], confusion[:, i].sum(), confusion[i].sum()
        precision = hits / said if said else 0.0
        recall = hits / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes.append(ClassScores(name, float(precision), float(recall), float(f1), int(actual)))
    paths = [str(p) for p in paths] if paths is not None else [""] * len(true)
    predictions = [ScoredSample(paths[n], class_names[true[n]], class_names[predicted[n]],
                              float(scores[n, predicted[n]])) for n in range(len(true))]
    accuracy = float((predicted == true).mean()) if len(true) else 0.0
    return Evaluation(list(class_names), accuracy, classes, confusion.tolist(), predictions)


def evaluate_model(predict, items: Sequence, class_names: Sequence[str], input_size: int,
                   batch_size: int = 32, progress: Progress = no_progress,
                   should_stop: ShouldStop = never_stop) -> Evaluation:
    """Score labelled images ``items`` ((path, class) pairs) with ``predict``.

    ``predict`` maps a uint8 batch (N, S, S, 3) to scores (N, classes): a
    ``Predictor.predict`` or any callable. Items whose class is not in
    ``class_names`` or whose image cannot be read are listed in ``skipped``.
    Raises :class:`Cancelled` when ``should_stop()`` turns true.
    """
    index_of = {name: i for i, name in enumerate(class_names)}
    skipped, kept = [], [(Path(p), c) for p, c in items]
    usable = [(p, c) for p, c in kept if c in index_of]
    skipped += [(str(p), f"the model has no class {c!r}") for p, c in kept if c not in index_of]
    scores, true, paths = [], [], []
    for start in range(0, len(usable), batch_size):
        if should_stop():
            raise Cancelled()
        images = []
        for path, name in usable[start:start + batch_size]:
            try:
                images.append(load_for_model(path, input_size))
            except ImageError as exc:
                skipped.append((str(path), exc.reason))
                continue
            true.append(index_of[name])
            paths.append(path)
        if images:
            scores.append(np.asarray(predict(np.stack(images))))
        done = min(start + batch_size, len(usable))
        progress(done / max(1, len(usable)), f"Evaluated {done} of {len(usable)} images")
    all_scores = np.concatenate(scores) if scores else np.zeros((0, len(class_names)))
    result = evaluate_scores(all_scores, true, class_names, paths)
    result.skipped = skipped
    return result
