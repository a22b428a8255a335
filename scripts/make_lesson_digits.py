"""Write resources/lessons/digits.npz, the built-in data set of the Lessons page.

    python scripts/make_lesson_digits.py

scikit-learn's copy of the UCI "Optical Recognition of Handwritten Digits"
test set (1,797 images, 8x8, grey levels 0..16, ten classes; CC BY 4.0, see
resources/LICENSES.md). Stored as it is, so the file is a few tens of kB and
the app needs no scikit-learn at run time; core.learn.lessons.data scales it up.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

OUT = Path(__file__).resolve().parents[1] / "resources" / "lessons" / "digits.npz"


def main() -> None:
    digits = load_digits()
    images = digits.images.astype(np.uint8)  # (1797, 8, 8), 0..16
    labels = digits.target.astype(np.uint8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images, labels=labels,
                        class_names=np.array([str(i) for i in range(10)]))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} kB, {len(labels)} images)")


if __name__ == "__main__":
    main()
