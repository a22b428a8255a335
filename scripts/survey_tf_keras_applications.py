"""Which tf-keras applications (Keras 2, ``weights=None``) open in the app as .h5.

Each application is built and saved as .h5 by tf-keras in a process of its own
(the way a Keras 2 user has them), then opened by the app's loader
(core.runtime.keras_files.load_keras2_h5: safe mode on) and called on the same
random image as tf-keras. Untrained weights give logits in the thousands, so
the softmax of two float roundings can pick different classes; the survey
compares the logits (``classifier_activation=None``), relative to the largest,
beside how far tf-keras's own logits move when the input moves by one part in
a million (deep untrained models are chaotic: EfficientNetV2M moves by 80%).
The table goes to stdout as Markdown, for docs/MODEL_FILES.md. Slow (minutes per large model):

    python scripts/survey_tf_keras_applications.py [Name ...] > survey.md
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAKER = """
import sys, numpy as np, tf_keras as k2
name, out, batch = sys.argv[1:4]
model = getattr(k2.applications, name)(weights=None, classifier_activation=None)
model.save(out)
shape = [d or 224 for d in model.input_shape[1:3]] + [3]  # MobileNetV3 leaves it open
x = np.random.default_rng(0).uniform(0, 255, (1, *shape)).astype("float32")
np.save(batch, x)
np.save(batch + ".out.npy", model(x).numpy())
np.save(batch + ".nudged.npy", model(x * np.float32(1 + 1e-6)).numpy())  # its own chaos
"""


def applications() -> list[str]:
    """Every model factory tf_keras.applications offers, by name."""
    run = subprocess.run([sys.executable, "-c", "import tf_keras as k2; print('\\n'.join("
                          "n for n in dir(k2.applications) if n[0].isupper()))"],
                         capture_output=True, text=True, env=_env(), check=True)
    return run.stdout.split()


def _env() -> dict:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def survey_one(name: str, folder: Path) -> tuple[str, str]:
    """(result, detail) for one application: "opens" with its logits' largest
    difference from tf-keras's, or "refused" / "not saved" with why."""
    from core.runtime.errors import refusal_cause
    from core.runtime.keras_files import load_keras2_h5

    file, batch = folder / f"{name}.h5", folder / f"{name}.npy"
    made = subprocess.run([sys.executable, "-c", MAKER, name, str(file), str(batch)],
                          capture_output=True, text=True, env=_env())
    if made.returncode != 0:
        return "not saved by tf-keras", made.stderr.strip().splitlines()[-1][:200]
    try:
        model = load_keras2_h5(file)
        ours = np.asarray(model(np.load(batch)))
    except Exception as exc:  # the table reports every refusal, whatever its kind
        return "refused", refusal_cause(exc)
    finally:
        file.unlink(missing_ok=True)
    theirs, nudged = np.load(str(batch) + ".out.npy"), np.load(str(batch) + ".nudged.npy")
    diff = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    own = float(np.abs(nudged - theirs).max() / np.abs(theirs).max())
    return "opens", (f"{model.count_params():,} parameters; logits differ by {diff:.1e} "
                     f"of the largest (tf-keras itself: {own:.1e} on an input 1e-6 away)")


def main(names: list[str]) -> None:
    print("| tf-keras application | result | detail |\n|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or applications():
            result, detail = survey_one(name, Path(tmp))
            print(f"| {name} | {result} | {detail.replace('|', '/')} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
