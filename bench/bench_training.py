"""Training speed: the embedding cache against the textbook frozen-base fit.

    python bench/bench_training.py [--per-class 100] [--epochs 10]

On 10 Fashion-MNIST classes x ``per-class`` images (80/20 stratified split),
EfficientNet-Lite0 at 224 px with its bundled ImageNet weights:

1. core.teach.training.train with a cold cache (LiteRT conversion of the feature
   extractor and every embedding computed); again with the embeddings
   deleted but the converted extractor kept (a first run on new images);
   and again with a warm cache;
2. the textbook way (the Keras transfer-learning guide): the same frozen base
   and head as one Keras model, fit on the images for the same epochs, so
   the base runs on every image of every epoch.

Prints wall times, the speed ratios, both validation accuracies and the
process's peak RSS after each step, all from this one run (TensorFlow is
imported before the clock starts). Uses a fresh
temporary data home, so the user's cache is neither used nor touched.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB


def textbook(train_items, val_items, class_names, epochs: int) -> tuple[float, float]:
    """Fit image -> frozen Lite0 -> Dropout -> Dense on images; (seconds, val accuracy)."""
    import keras
    import numpy as np

    from core.images.decode import load_for_model
    from core.models.build import build_feature_extractor

    def arrays(items):
        x = np.stack([load_for_model(p, 224) for p, _ in items])
        y = np.array([class_names.index(c) for _, c in items])
        return x, y

    started = time.perf_counter()
    (xt, yt), (xv, yv) = arrays(train_items), arrays(val_items)
    keras.utils.set_random_seed(0)
    extractor = build_feature_extractor("EfficientNetLite0")
    extractor.trainable = False
    x = keras.layers.Dropout(0.2)(extractor.output)
    outputs = keras.layers.Dense(len(class_names), activation="softmax")(x)
    model = keras.Model(extractor.input, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(xt, yt, batch_size=32, epochs=epochs, validation_data=(xv, yv),
                        verbose=0)
    return time.perf_counter() - started, history.history["val_accuracy"][-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench_training_")
    os.environ["BACKBONE_STUDIO_HOME"] = home
    import tensorflow  # noqa: F401  imported before any timing, for both sides

    from core.teach import dataset, training
    from tests import fashion

    fashion.write_tree(Path(home) / "data", args.per_class, seed=0)
    items, class_names = dataset.load_folder(Path(home) / "data")
    config = training.TrainConfig(epochs=args.epochs, patience=0)
    print(f"{len(items)} images, {len(class_names)} classes, {args.epochs} epochs, "
          f"EfficientNetLite0 224 px, {os.cpu_count()} CPU cores")

    runs = {}
    for name in ("cache, cold", "cache, new", "cache, warm"):
        if name == "cache, new":  # new images: the converted extractor is reused
            for vector in (Path(home) / "embeddings").rglob("*.npy"):
                vector.unlink()
        started = time.perf_counter()
        result = training.train(items, class_names, config)
        runs[name] = time.perf_counter() - started
        print(f"{name:<12} {runs[name]:7.1f} s  val accuracy {result.val_accuracy:.3f}  "
              f"peak RSS {peak_rss_gb():.2f} GB")
    seconds, accuracy = textbook(result.train_items, result.val_items, class_names,
                                 args.epochs)
    print(f"{'textbook':<12} {seconds:7.1f} s  val accuracy {accuracy:.3f}  "
          f"peak RSS {peak_rss_gb():.2f} GB")
    print(f"speed-up: {seconds / runs['cache, warm']:.1f}x with a warm cache, "
          f"{seconds / runs['cache, new']:.1f}x on new images, "
          f"{seconds / runs['cache, cold']:.1f}x on the very first run")


if __name__ == "__main__":
    main()
