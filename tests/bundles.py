"""One small trained bundle per test session, shared by the models-in-and-out tests.

LeNet-5 (32 px, trained from scratch: seconds) on the bundled Fashion-MNIST
samples, saved as a real bundle. Exports of it take about 4 s for all five
formats, so the export, model-file and GUI tests can afford to make real ones;
tests/core/test_export.py adds one int8 check on the real default backbone.
"""
from __future__ import annotations

from core.base import paths

FASHION = paths.resources_dir() / "samples" / "fashion"
BACKBONE, SIZE = "LeNet5", 32
_made: dict = {}


def small_bundle(tmp_path_factory):
    """The session's bundle folder (made on first use)."""
    if "bundle" not in _made:
        from core.runtime import bundle
        from core.teach.dataset import load_folder
        from core.teach.training import TrainConfig, train

        samples, classes = load_folder(FASHION)
        result = train(samples, classes, TrainConfig(backbone=BACKBONE, epochs=30, batch_size=8,
                                                     val_split=0.25, patience=0))
        folder = tmp_path_factory.mktemp("small_bundle") / "fashion"
        _made["bundle"] = bundle.save(folder, result.model, result.bundle_meta())
        _made["result"] = result
    return _made["bundle"]


def trained_result():
    """The core.teach.training.TrainResult behind :func:`small_bundle` (call that first)."""
    return _made["result"]
