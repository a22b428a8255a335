"""The images a lesson trains on: a built-in set, or a folder of the user's.

Two sets are built in (see resources/LICENSES.md): ``digits``, 1,797 8x8
handwritten digits, and ``fashion``, 1,800 28x28 Fashion-MNIST photos of
clothes (180 per class), the photo-like set of the pretrained-features lesson.

Every lesson sees RGB uint8 images, ``(N, size, size, 3)``, and integer labels,
split once per seed into training and validation sets with every class in
both (a stratified split), so the variants of a lesson train on the same split.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base.paths import resources_dir

# name -> (file under resources/, its brightest grey level)
BUILT_IN = {"digits": ("lessons/digits.npz", 16), "fashion": ("lessons/fashion.npz", 255)}
BUILT_IN_NAMES = {"digits": "built-in digits", "fashion": "built-in Fashion-MNIST"}


class LessonDataError(ValueError):
    """A folder a lesson cannot use; the message says what to do."""


@dataclass
class Split:
    x_train: np.ndarray  # (N, size, size, 3) uint8
    y_train: np.ndarray  # (N,) int
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: list[str]
    source: str  # "built-in digits", "built-in Fashion-MNIST" or the folder

    @property
    def classes(self) -> int:
        return len(self.class_names)

    @property
    def size(self) -> int:
        return int(self.x_train.shape[1])

    def describe(self) -> str:
        return (f"{self.source}: {len(self.y_train)} training and {len(self.y_val)} "
                f"validation images, {self.classes} classes, {self.size} px")


def load(size: int, seed: int, folder: str | Path | None = None, val_fraction: float = 0.25,
         limit: int | None = None, built_in: str = "digits") -> Split:
    """The lesson's split at ``size`` px: ``folder`` (one sub-folder per class),
    or without one the ``built_in`` set (a key of BUILT_IN). ``limit`` keeps
    at most that many images in all (tests and quick looks), taken evenly
    from every class."""
    if folder is None:
        images, labels, names = built_in_images(built_in, size)
        source = BUILT_IN_NAMES[built_in]
    else:
        images, labels, names = folder_images(Path(folder), size)
        source = str(folder)
    if limit:
        keep = per_class_indices(labels, max(2, limit // len(names)), seed)
        images, labels = images[keep], labels[keep]
    return split(images, labels, names, source, seed, val_fraction)


def built_in_images(name: str, size: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The built-in set ``name`` scaled to ``size`` px, grey as RGB uint8."""
    import cv2

    file, levels = BUILT_IN[name]
    with np.load(resources_dir() / file) as data:
        small, labels = data["images"], data["labels"].astype(np.int64)
        names = [str(n) for n in data["class_names"]]
    grey = np.clip(small.astype(np.float32) * (255 / levels), 0, 255).astype(np.uint8)
    shrink = cv2.INTER_AREA if size < grey.shape[1] else cv2.INTER_LINEAR  # no aliasing
    scaled = np.stack([cv2.resize(g, (size, size), interpolation=shrink) for g in grey])
    return np.repeat(scaled[..., None], 3, axis=-1), labels, names


def folder_images(folder: Path, size: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every readable image of ``folder``'s class sub-folders at ``size`` px."""
    from core.images.decode import ImageError, find_images, load_for_model

    if not folder.is_dir():
        raise LessonDataError(f"{folder} is not a folder: choose one with a sub-folder per class.")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    images, labels, names = [], [], []
    for cls in classes:
        count = 0
        for path in find_images([cls]):
            try:
                images.append(load_for_model(path, size, fraction=1.0))
            except ImageError:
                continue  # a lesson is a demonstration: an unreadable file is skipped
            labels.append(len(names))
            count += 1
        if count:  # an empty sub-folder is not a class
            names.append(cls.name)
    if len(names) < 2 or min(np.bincount(labels)) < 4:
        raise LessonDataError(f"{folder} needs at least two class sub-folders with four or more "
                              "images each.")
    return np.stack(images), np.asarray(labels, dtype=np.int64), names


def per_class_indices(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Up to ``n`` indices of every class, drawn with ``seed``, sorted."""
    rng = np.random.default_rng(seed)
    picked = [rng.permutation(np.flatnonzero(labels == c))[:n] for c in np.unique(labels)]
    return np.sort(np.concatenate(picked))


def split(images, labels, names, source: str, seed: int, val_fraction: float) -> Split:
    """A stratified split: ``val_fraction`` of every class (at least one) to validation."""
    rng = np.random.default_rng(seed)
    val: list[np.ndarray] = []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        val.append(members[:max(1, round(len(members) * val_fraction))])
    val_idx = np.concatenate(val)
    train_mask = np.ones(len(labels), bool)
    train_mask[val_idx] = False
    train_idx = rng.permutation(np.flatnonzero(train_mask))
    return Split(images[train_idx], labels[train_idx], images[np.sort(val_idx)],
                 labels[np.sort(val_idx)], list(names), source)
