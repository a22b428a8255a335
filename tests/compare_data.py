"""A small, hard Fashion-MNIST project shared by the comparison tests.

Pullovers, coats and shirts look alike at 28 px: with 20 images a class, a
network trained from scratch stays near chance while frozen ImageNet
features already separate them (measured: EfficientNet-Lite0/1 0.50-0.67,
LeNet-5 0.33 on the 18 validation images, seeds 0 and 1).
"""
from __future__ import annotations

from tests import fashion

CLASSES = ("pullover", "coat", "shirt")
PER_CLASS = 20
VAL_SPLIT = 0.3


def write(root):
    """The DATA_DIR tree under ``root``; returns class name -> paths."""
    return fashion.write_tree(root, PER_CLASS, seed=0, classes=CLASSES)
