"""A Teachable-Machine-like Keras 2 model, written by tf-keras in its own process.

tf-keras (the Keras 2 still on PyPI) writes ``keras_model.h5`` the way
Teachable Machine's export does: a MobileNet-like Sequential with
DepthwiseConv2D layers (whose config carries the ``groups`` keyword Keras 3
refuses), float input scaled to [-1, 1], and a ``labels.txt`` of ``0 name``
lines. The same process scores the session's photos with tf-keras, the
file's own runtime: ``keras2_scores.npy`` on arrays decoded here, and
``tm_scores.npy`` on the photo files read the way Teachable Machine's own
snippet reads them (PIL, ``ImageOps.fit``: the largest centre square, then
224 -> here 96 px), both in the ``photos`` fixture's order. It also writes
``lambda.h5`` (a Lambda layer: code in a file, refused in safe mode).
Made once per test session.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

SIZE = 96
LABELS = ["bag", "sneaker", "trouser"]
_made: dict = {}

KERAS2 = """
import sys
import numpy as np
import tf_keras as k2
L = k2.layers
out, images, files = sys.argv[1], np.load(sys.argv[2]), sys.argv[3:]
def base():
    inp = L.Input((96, 96, 3))
    x = L.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inp)
    x = L.ReLU(6.0)(L.BatchNormalization()(x))
    y = L.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
    y = L.ReLU(6.0)(L.BatchNormalization()(y))
    x = L.Add()([x, L.BatchNormalization()(L.Conv2D(8, 1, use_bias=False)(y))])
    x = L.DepthwiseConv2D(3, strides=2, padding="same")(x)
    return k2.Model(inp, L.GlobalAveragePooling2D()(x), name="model1")
k2.utils.set_random_seed(0)
model = k2.Sequential([k2.Sequential([base()], name="sequential_1"),
                       k2.Sequential([L.Dense(16, activation="relu"),
                                      L.Dense(3, activation="softmax")], name="sequential_3")])
model.build((None, 96, 96, 3))
model.save(out + "/keras_model.h5")
np.save(out + "/keras2_scores.npy", model.predict(images / 127.5 - 1, verbose=0))
from PIL import Image, ImageOps
def teachable(path):  # Teachable Machine's snippet, at this model's size
    image = ImageOps.fit(Image.open(path).convert("RGB"), (96, 96), Image.Resampling.LANCZOS)
    return np.asarray(image).astype(np.float32) / 127.5 - 1
np.save(out + "/tm_scores.npy", model.predict(np.stack([teachable(f) for f in files]), verbose=0))
inp = L.Input((4,))
k2.Model(inp, L.Lambda(lambda t: t * 2)(inp)).save(out + "/lambda.h5")
"""


def teachable_folder(tmp_path_factory, photos):
    """The folder holding keras_model.h5, labels.txt, keras2_scores.npy and lambda.h5."""
    if "folder" not in _made:
        from core.images.decode import load_for_model

        folder = tmp_path_factory.mktemp("teachable")
        np.save(folder / "images.npy", np.stack([load_for_model(p, SIZE)
                                                 for p in photos.values()]))
        (folder / "maker.py").write_text(KERAS2)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        run = subprocess.run([sys.executable, str(folder / "maker.py"), str(folder),
                              str(folder / "images.npy"), *map(str, photos.values())],
                             capture_output=True, text=True, timeout=300, env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        (folder / "labels.txt").write_text("".join(f"{i} {n}\n" for i, n in enumerate(LABELS)))
        _made["folder"] = folder
    return _made["folder"]
