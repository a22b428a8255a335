"""Real labelled images for tests and benchmarks: Fashion-MNIST as PNG files.

Fashion-MNIST (Zalando Research, MIT licence) comes from the Debian package
``dataset-fashion-mnist`` (scripts/system-packages.sh installs it), as idx
files under :data:`FASHION_DIR`. :func:`write_tree` writes a seeded subset as
a DATA_DIR tree: one sub-folder per class, one 28 x 28 grey PNG per image.
"""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

import cv2
import numpy as np

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot")


def available() -> bool:
    """True when the idx files are installed."""
    return (FASHION_DIR / "train-images-idx3-ubyte.gz").is_file()


@functools.lru_cache(maxsize=2)
def load(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """``(images (N, 28, 28) uint8, labels (N,) uint8)``; split "train" or "t10k"."""
    with gzip.open(FASHION_DIR / f"{split}-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    count, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    images = np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)
    with gzip.open(FASHION_DIR / f"{split}-labels-idx1-ubyte.gz", "rb") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def write_tree(root, per_class: int, seed: int = 0, classes=CLASSES,
               split: str = "train") -> dict[str, list[Path]]:
    """Write ``per_class`` images of each class under ``root/<class>/``.

    The images are drawn without replacement with ``seed`` from ``split``
    ("train" or the disjoint "t10k"); the same arguments give the same files.
    Returns class name -> the paths written.
    """
    images, labels = load(split)
    rng = np.random.default_rng(seed)
    root = Path(root)
    written: dict[str, list[Path]] = {}
    for name in classes:
        label = CLASSES.index(name)
        chosen = rng.choice(np.flatnonzero(labels == label), per_class, replace=False)
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        written[name] = []
        for index in sorted(chosen):
            path = folder / f"{split}_{index:05d}.png"
            cv2.imwrite(str(path), images[index])
            written[name].append(path)
    return written
