"""``python main.py --self-test``: a headless smoke test of the whole app.

Meant for the packaged app (``BackboneStudio --self-test``) as much as for a
source checkout. It uses only what ships with the app, so it needs no
network: the bundled EfficientNet-Lite0 weights, the sample photo
``resources/samples/photos/coffee.jpg`` and the small labelled set
``resources/samples/fashion`` (3 classes x 8 Fashion-MNIST images).

Steps, each printed on stdout with its time and result:

1. load the default model behind its runtime;
2. classify the coffee photo: its best label must be "espresso";
3. train a head on the labelled samples for a few epochs (core.teach.training):
   its validation accuracy must beat chance (1 / the number of classes);
4. save it as a bundle and export TFLite, which includes the parity check.

Exit 0 when every step passed; otherwise the failed step and its reason
are printed (the traceback goes to stderr) and the exit status is 1. The
app's cache (converted weights, embeddings) is used as usual; the bundle and
export go to a temporary folder that is removed afterwards.
"""
from __future__ import annotations

import sys
import tempfile
import time
import traceback
from pathlib import Path

from core import APP_NAME, APP_VERSION
from core.base import paths

EXPECTED_LABEL = "espresso"
# One epoch at Keras' usual 1e-3 leaves the head at chance (2 of 6 validation
# images); three at 1e-2 get all 6 right in about a second here.
TRAIN_EPOCHS, TRAIN_LEARNING_RATE = 3, 1e-2


def run() -> int:
    """Run every step; returns the exit status (0 passed, 1 a step failed)."""
    print(_header(), flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backbone-studio-selftest-") as tmp:
        state = {"tmp": Path(tmp)}
        for name, step in STEPS:
            if not _run_step(name, step, state):
                print(f"self-test FAILED at: {name}")
                return 1
    print(f"self-test passed in {time.perf_counter() - started:.1f} s")
    return 0


def _header() -> str:
    import platform

    how = "packaged" if getattr(sys, "frozen", False) else "from source"
    return (f"{APP_NAME} {APP_VERSION} self-test ({how}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()})")


def _run_step(name: str, step, state: dict) -> bool:
    """Run one step, print its line; False when it failed."""
    start = time.perf_counter()
    try:
        detail = step(state)
    except Exception as exc:  # the self-test reports every failure as a line
        traceback.print_exc(file=sys.stderr)
        reason = str(exc).strip() or type(exc).__name__
        print(f"FAIL  {name:<36} {time.perf_counter() - start:6.1f} s  {reason}", flush=True)
        return False
    print(f"ok    {name:<36} {time.perf_counter() - start:6.1f} s  {detail}", flush=True)
    return True


def samples_dir() -> Path:
    return paths.resources_dir() / "samples"


def _load_default(state: dict) -> str:
    from core.models.backbones import DEFAULT_BACKBONE
    from core.runtime.loading import load_predictor

    state["predictor"] = predictor = load_predictor(DEFAULT_BACKBONE)
    return f"{predictor.description} on {predictor.runtime}"


def _classify(state: dict) -> str:
    from core.images.decode import load_for_model
    from core.runtime.inference import top_k

    predictor = state["predictor"]
    photo = samples_dir() / "photos" / "coffee.jpg"
    scores = predictor.predict_one(load_for_model(photo, predictor.input_size))
    best = top_k(scores, predictor.class_names, k=3)
    text = ", ".join(f"{p.label} {p.score:.2f}" for p in best)
    if best[0].label != EXPECTED_LABEL:
        raise AssertionError(f"{photo.name} should be {EXPECTED_LABEL}, got {text}")
    return f"{photo.name}: {text}"


def _train(state: dict) -> str:
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    samples, class_names = load_folder(samples_dir() / "fashion")
    config = TrainConfig(epochs=TRAIN_EPOCHS, learning_rate=TRAIN_LEARNING_RATE, batch_size=8,
                         val_split=0.25, seed=0, patience=0)
    state["trained"] = result = train(samples, class_names, config)
    shown = check_above_chance(result.val_accuracy, len(class_names))
    return (f"{len(samples)} images, {len(class_names)} classes ({', '.join(class_names)}), "
            f"validation accuracy {shown} after {TRAIN_EPOCHS} epochs")


def check_above_chance(accuracy: float | None, classes: int) -> str:
    """The accuracy as shown; raises AssertionError when it is no better than guessing."""
    chance = 1 / classes
    if accuracy is None or accuracy <= chance + 1e-6:
        shown = "none" if accuracy is None else f"{accuracy:.2f}"
        raise AssertionError(f"validation accuracy {shown} is no better than chance "
                             f"({chance:.2f}): training did not learn")
    return f"{accuracy:.2f}"


def _export(state: dict) -> str:
    from core.export.exporter import export_bundle
    from core.runtime import bundle

    result = state["trained"]
    folder = bundle.save(state["tmp"] / "bundle", result.model, result.bundle_meta())
    (outcome,) = export_bundle(folder, state["tmp"] / "export", ["tflite"])
    if not outcome.ok:
        raise AssertionError(outcome.error)
    parity = outcome.parity
    return (f"{outcome.path.name} {outcome.path.stat().st_size / 2**20:.1f} MB, top-1 agreement "
            f"{parity.top1_agreement:.0%} on {parity.images} images, max score difference "
            f"{parity.max_abs_diff:.1e}")


STEPS = (
    ("Load the default model", _load_default),
    ("Classify the sample photo", _classify),
    ("Train a head, check it beats chance", _train),
    ("Save a bundle, export TFLite, check", _export),
)
