"""One small trained bundle per test session, shared by the models-in-and-out tests.

A head trained for a few epochs (cached embeddings: seconds) on the bundled
Fashion-MNIST samples, on the bundled EfficientNet-Lite0 at 96 px.
"""
from __future__ import annotations

from core import paths

FASHION = paths.resources_dir() / "samples" / "fashion"
SIZE = 96
_made: dict = {}


def small_bundle(tmp_path_factory):
    """The session's bundle folder (made on first use)."""
    if "bundle" not in _made:
        from core import bundle
        from core.dataset import load_folder
        from core.training import TrainConfig, train

        samples, classes = load_folder(FASHION)
        result = train(samples, classes, TrainConfig(input_size=SIZE, epochs=20, batch_size=8,
                                                     val_split=0.25, patience=0))
        folder = tmp_path_factory.mktemp("small_bundle") / "fashion"
        _made["bundle"] = bundle.save(folder, result.model, result.bundle_meta())
        _made["result"] = result
    return _made["bundle"]


def trained_result():
    """The core.training.TrainResult behind :func:`small_bundle` (call that first)."""
    return _made["result"]
