"""The README.txt of an export folder: what is in it, and a runnable snippet per format.

Each snippet runs on its own in a fresh Python that has only that format's
runtime (plus numpy and Pillow): ``python snippet.py photo.jpg`` in the export
folder prints the best class and its score. tests/core/test_export.py runs
every one of them that way.
"""
from __future__ import annotations

from core.images.decode import CROP_FRACTION, WHOLE_IMAGE

LOAD_IMAGE = '''\
import sys
import numpy as np
from PIL import Image

SIZE = {size}


def load_image(path, size=SIZE):
    """(1, size, size, 3) uint8 RGB: the centre square, resized. The model
    rescales the pixels itself (its preprocessing is inside)."""
    image = Image.open(path).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return np.asarray(image.resize((size, size), Image.BILINEAR), dtype=np.uint8)[None]


labels = [line.split(" ", 1)[1].strip() for line in open("labels.txt", encoding="utf-8")]
image = load_image(sys.argv[1] if len(sys.argv) > 1 else "photo.jpg")
'''

RUN = {
    "keras": '''\
import keras

model = keras.saving.load_model("model.keras")
scores = np.asarray(model(image))[0]
''',
    "savedmodel": '''\
import tensorflow as tf

model = tf.saved_model.load("savedmodel")
scores = model.serve(tf.constant(image)).numpy()[0]
''',
    "tflite": '''\
from ai_edge_litert.interpreter import Interpreter

interpreter = Interpreter(model_path="{file}")
interpreter.allocate_tensors()
interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
interpreter.invoke()
scores = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]
''',
    "onnx": '''\
import onnxruntime

session = onnxruntime.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
scores = session.run(None, {{session.get_inputs()[0].name: image}})[0][0]
''',
}
RUN["tflite-int8"] = RUN["tflite"]

PRINT = 'print(labels[int(scores.argmax())], float(scores.max()))\n'


def snippet(record, size: int) -> str:
    """The whole runnable Python program for one format (an ExportFormat record)."""
    return (LOAD_IMAGE.format(size=size) + "\n" + RUN[record.name].format(file=record.file_name)
            + PRINT)


def _crop_sentence(crop: float) -> str:
    if crop == 1:
        return "The app, like the snippets below, crops the largest centre square."
    seen = ("squashes the whole image to a square" if crop <= WHOLE_IMAGE
            else f"crops the central {crop:.1%} of an image")
    return (f"The app {seen} before resizing; the snippets below crop the largest centre "
            "square, which is close enough for most photos.")


def readme(meta: dict, records) -> str:
    """README.txt for an export folder holding the files of ``records``."""
    size = int(meta["input_size"])
    classes = ", ".join(meta["class_names"])
    lines = [
        f"Model exported by {meta.get('exported_by', 'Backbone Studio')}",
        "",
        f"Classes ({len(meta['class_names'])}): {classes}",
        f"Input: {size} x {size} RGB images as uint8 (0-255), batch first: shape "
        f"(N, {size}, {size}, 3). The preprocessing is inside the model.",
        "Output: one score per class (they sum to 1), in the order of labels.txt.",
    ]
    threshold = float(meta.get("threshold") or 0)
    if threshold > 0:
        lines.append(f"Below a best score of {threshold:.2f} the app answers \"unknown\".")
    lines += ["", "Files: labels.txt (lines 'index name'), model.json (the same facts as "
              "JSON), README.txt, and:"]
    lines += [f"  {r.file_name:<20} {r.title}" for r in records]
    lines += ["", _crop_sentence(float(meta.get("crop_fraction", CROP_FRACTION))), ""]
    for record in records:
        lines += [f"--- {record.title}: pip install {record.runtime} numpy pillow ---",
                  "# python this.py photo.jpg   (run it in this folder)", "",
                  snippet(record, size)]
    return "\n".join(lines)
