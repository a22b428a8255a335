"""A small Fashion-MNIST project shared by the comparison tests.

Three kinds of shoe (sandal, sneaker, ankle boot), 20 images each, 30% kept
for validation. Fashion-MNIST is LeNet-5's home ground (28 px grey
silhouettes): measured here over seeds 0-2 on this split, LeNet-5 from
scratch reached 0.78-0.89, EfficientNet-Lite0's frozen features 0.78-0.83
and Lite1's 0.94 every time; on pullover/coat/shirt the pretrained heads won
more often but not always. So the tests check that the best pretrained
backbone beats LeNet-5, which held on every split measured here.
"""
from __future__ import annotations

from tests import fashion

CLASSES = ("sandal", "sneaker", "ankle_boot")
PER_CLASS = 20
VAL_SPLIT = 0.3


def write(root):
    """The DATA_DIR tree under ``root``; returns class name -> paths."""
    return fashion.write_tree(root, PER_CLASS, seed=0, classes=CLASSES)
