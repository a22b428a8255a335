"""Write resources/lessons/fashion.npz, the built-in photos of lesson 4 (pretrained).

    python scripts/make_lesson_fashion.py

Fashion-MNIST (Zalando SE, MIT licence, see resources/LICENSES.md) from the
Debian package ``dataset-fashion-mnist`` (scripts/system-packages.sh installs
it): PER_CLASS images of each of the ten classes, drawn from the training set
with ``numpy.random.default_rng(0)``, stored as they are (28x28 grey uint8),
about 1 MB. core.learn.lessons.data scales them and splits them per seed.
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

SOURCE = Path("/usr/share/datasets/fashion-mnist")
OUT = Path(__file__).resolve().parents[1] / "resources" / "lessons" / "fashion.npz"
PER_CLASS = 180  # 135 training and 45 validation images per class after the 75/25 split
CLASS_NAMES = ("T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
               "sneaker", "bag", "ankle boot")


def read_idx(path: Path, offset: int) -> np.ndarray:
    """The bytes of an idx file after its ``offset``-byte header."""
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main() -> None:
    images = read_idx(SOURCE / "train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    labels = read_idx(SOURCE / "train-labels-idx1-ubyte.gz", 8)
    rng = np.random.default_rng(0)
    keep = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:PER_CLASS]
                                   for c in range(len(CLASS_NAMES))]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images[keep], labels=labels[keep], source_index=keep,
                        class_names=np.array(CLASS_NAMES))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} kB, {len(keep)} images)")


if __name__ == "__main__":
    main()
