"""Open the models people already have: .keras, Keras 2 .h5, .tflite, .onnx, SavedModel.

:func:`load_predictor` turns a model file (or a folder holding one, or a
SavedModel folder) and its class names into a Predictor the whole app uses.
Each format runs in its own runtime: Keras models go through
core.inference (LiteRT on a CPU), ``.tflite`` through LiteRT, ``.onnx``
through ONNX Runtime, a SavedModel through TensorFlow. Only Keras files
give ``predictor.model`` (Grad-CAM and export need it); the others have
``model = None``.

Class names come from, in order: a ``labels.txt`` beside the file (lines
``0 name`` as Teachable Machine writes them, or plain ``name``), a metadata
JSON beside it (``model.json``, ``metadata.json`` or ``<stem>.json`` with
``class_names`` or ``labels``), the metadata this app embeds in its exports,
or a labels file the user picked once (:func:`remember_labels`). Without any,
:class:`LabelsMissing` says which file to add.

How images go in (:class:`InputRule`) is read from the file where it says so:
a uint8 input means preprocessing is inside (this app's models and exports);
a float input gets a preprocessing mode from the metadata JSON's
``preprocessing`` key, else the per-source rule :data:`FLOAT_INPUT_MODE`
(``tf``: RGB scaled to [-1, 1], as Teachable Machine and most Keras image
models expect). Keras 2 ``.h5`` files are repaired on the way in
(:func:`repair_keras2_config`) and always loaded with Keras safe mode on.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import paths
from .bundle import BundleError
from .model_checks import check_model_file
from .jobs import Progress, no_progress

SUFFIXES = {".keras": "keras", ".h5": "h5", ".hdf5": "h5", ".tflite": "tflite",
            ".onnx": "onnx"}
SAVEDMODEL_FILE = "saved_model.pb"
LABEL_FILES = ("labels.txt",)
META_FILES = ("model.json", "metadata.json")
FLOAT_INPUT_MODE = "tf"
DEFAULT_SIZE = 224  # when the file leaves the input size open


class ModelFileError(BundleError):
    """A model file cannot be opened; ``str()`` is the user's sentence (a BundleError,
    so every place that reports a bad bundle reports a bad model file too)."""


class LabelsMissing(ModelFileError):
    """The model opened but nothing says what its classes are called."""

    def __init__(self, model_path: Path):
        self.model_path = model_path
        super().__init__(
            f"{model_path.name} has no class names: put a labels.txt beside it (one class "
            "per line, e.g. '0 cat') or a model.json with \"class_names\", then open it again.")


@dataclass(frozen=True)
class InputRule:
    """How images reach the model: ``size`` px square, ``dtype``, and ``preprocessing``
    ("inside" or a core.preprocessing mode applied before the model)."""

    size: int
    dtype: str
    preprocessing: str

    def describe(self) -> str:
        where = ("preprocessing inside the model" if self.preprocessing == "inside"
                 else f"preprocessing '{self.preprocessing}' applied before it")
        return f"{self.size} px {self.dtype} input, {where}"


# --------------------------------------------------------------------------
# Finding the model and its class names

def is_model_ref(ref) -> bool:
    """Whether ``ref`` names an existing model file, SavedModel or folder holding one."""
    path = Path(ref)
    if path.is_file():
        return path.suffix.lower() in SUFFIXES
    return path.is_dir() and (_is_savedmodel(path) or bool(_model_files_in(path)))


def locate(ref) -> tuple[Path, str]:
    """``(model path, kind)`` for a file, a SavedModel folder or a folder holding one model."""
    path = Path(ref)
    if not path.exists():
        raise ModelFileError(f"{path} does not exist.")
    if path.is_dir():
        if _is_savedmodel(path):
            return path, "savedmodel"
        found = _model_files_in(path)
        if len(found) == 1:
            return locate(found[0])
        if not found:
            raise ModelFileError(f"{path} is not a model bundle (no model.json and model.keras) "
                                 "and holds no model file (.keras, .h5, .tflite, .onnx or a "
                                 "SavedModel).")
        names = ", ".join(p.name for p in found)
        raise ModelFileError(f"{path.name} holds several models ({names}): open one of them.")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ModelFileError(f"{path.name} is not a model file this app opens (.keras, .h5, "
                             ".tflite, .onnx, a SavedModel folder or a bundle).")
    return path, kind


def _is_savedmodel(folder: Path) -> bool:
    return (folder / SAVEDMODEL_FILE).is_file()


def _model_files_in(folder: Path) -> list[Path]:
    found = [p for p in sorted(folder.iterdir())
             if not p.name.startswith(".") and p.suffix.lower() in SUFFIXES and p.is_file()]
    found += [p for p in sorted(folder.iterdir()) if p.is_dir() and _is_savedmodel(p)]
    return found


def parse_labels(text: str) -> list[str]:
    """Class names from a labels file: ``0 name`` (Teachable Machine) or ``name`` lines."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            match = re.fullmatch(r"(\d+)[\s:,]+(.+)", line)
            names.append(match.group(2).strip() if match else line)
    return names


def _labels_from_json(file: Path) -> list[str] | None:
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    names = doc.get("class_names") or doc.get("labels")
    return [str(n) for n in names] if isinstance(names, list) and names else None


def metadata_beside(model_path: Path) -> dict:
    """The metadata JSON beside (or inside, for a folder) the model, or {}."""
    folder = model_path if model_path.is_dir() else model_path.parent
    for name in (*META_FILES, f"{model_path.stem}.json"):
        file = folder / name
        if file.is_file() and file != model_path:
            try:
                doc = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict):
                return doc
    return {}


def find_labels(model_path: Path, look_inside: bool = True) -> list[str] | None:
    """The model's class names from the places the module docstring lists, or None.

    ``look_inside`` False skips the metadata embedded in the file (reading it
    imports TensorFlow or ONNX: not on a GUI thread)."""
    folder = model_path if model_path.is_dir() else model_path.parent
    for name in LABEL_FILES:
        if (folder / name).is_file():
            return parse_labels((folder / name).read_text(encoding="utf-8", errors="replace"))
    names = metadata_beside(model_path)
    found = names.get("class_names") or names.get("labels")
    if isinstance(found, list) and found:
        return [str(n) for n in found]
    embedded = _embedded_labels(model_path) if look_inside else None
    if embedded:
        return embedded
    remembered = _remembered().get(str(model_path.resolve()))
    if remembered and Path(remembered).is_file():
        return labels_from_file(Path(remembered))
    return None


def labels_from_file(file: Path) -> list[str]:
    """Class names from a user-picked ``labels.txt`` or metadata JSON."""
    if file.suffix.lower() == ".json":
        names = _labels_from_json(file)
        if not names:
            raise ModelFileError(f"{file.name} has no \"class_names\" list.")
        return names
    names = parse_labels(file.read_text(encoding="utf-8", errors="replace"))
    if not names:
        raise ModelFileError(f"{file.name} is empty: write one class name per line.")
    return names


def _embedded_labels(model_path: Path) -> list[str] | None:
    from .export import embedded_metadata

    try:
        return list(embedded_metadata(model_path)["class_names"])
    except Exception:  # no metadata, or not one of ours
        return None


def _remembered_file() -> Path:
    return paths.cache_dir("model_labels") / "labels.json"


def _remembered() -> dict:
    try:
        return json.loads(_remembered_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remember_labels(model_path, labels_file) -> None:
    """Use ``labels_file`` for ``model_path`` from now on (the user picked it)."""
    model_path, _ = locate(model_path)
    labels_from_file(Path(labels_file))  # refuse a file that gives no names
    known = _remembered()
    known[str(model_path.resolve())] = str(Path(labels_file).resolve())
    paths.atomic_write_text(_remembered_file(), json.dumps(known, indent=1))


# --------------------------------------------------------------------------
# Loading

def load_predictor(ref, progress: Progress = no_progress):
    """A Predictor for the model file, SavedModel or model folder ``ref``.

    Raises :class:`ModelFileError` (or :class:`LabelsMissing`) with a sentence.
    """
    model_path, kind = locate(ref)
    labels = find_labels(model_path)
    if labels is None:
        raise LabelsMissing(model_path)
    meta = metadata_beside(model_path)
    progress(0.2, f"Opening {model_path.name}")
    check_model_file(model_path)  # a cut or altered file: a sentence before any runtime sees it
    try:
        predictor = _LOADERS[kind](model_path, labels, meta, progress)
    except ModelFileError:
        raise
    except Exception as exc:  # each runtime raises its own kinds for a bad file
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise ModelFileError(f"{model_path.name} could not be opened as a {kind} model "
                             f"({type(exc).__name__}: {detail}).") from None
    outputs = predictor.output_classes
    if outputs != len(labels):
        raise ModelFileError(f"{model_path.name} gives {outputs} scores but its labels name "
                             f"{len(labels)} classes; fix the labels file.")
    predictor.threshold = float(meta.get("threshold") or 0.0)
    progress(1.0, f"{model_path.name} ready")
    return predictor


def _float_mode(meta: dict) -> str:
    from .preprocessing import MODES

    mode = meta.get("preprocessing")
    return mode if mode in MODES else FLOAT_INPUT_MODE


def _rule(shape, dtype: str, meta: dict) -> InputRule:
    size = next((int(s) for s in shape[1:3] if isinstance(s, (int, np.integer)) and s > 0),
                int(meta.get("input_size") or DEFAULT_SIZE))
    inside = dtype == "uint8"
    return InputRule(size, dtype, "inside" if inside else _float_mode(meta))


def _load_keras(path: Path, labels, meta, progress):
    from .inference import make_predictor

    model, rule = open_keras_model(path, meta)
    key = f"file|{paths.file_hash(path)}|{rule}"
    predictor = make_predictor(model, labels, key, f"{path.name} ({rule.describe()})", progress)
    predictor.input_rule = rule
    predictor.output_classes = int(model.output_shape[-1])
    return predictor


def open_keras_model(path: Path, meta: dict) -> tuple:
    """``(model, rule)``: a .keras or Keras 2 .h5 file (safe mode on) as a uint8-RGB model."""
    import keras

    from .preprocessing import migrate

    try:
        if path.suffix.lower() in (".h5", ".hdf5"):
            model = load_keras2_h5(path)
        else:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except ModelFileError:
        raise
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise ModelFileError(f"{path.name} could not be loaded by Keras in safe mode "
                             f"({detail}).") from None
    model = migrate(model)
    rule = _rule(model.input_shape, str(model.inputs[0].dtype).split(".")[-1], meta)
    return uint8_model(model, rule), rule


def uint8_model(model, rule: InputRule):
    """``model`` as a uint8-RGB model: float inputs get their preprocessing as stock layers
    in front. The layers keep their weights; a Sequential of models (Teachable Machine's
    ``[[MobileNet], [Dense, Dense]]``) is laid out as the app's own models are,
    preprocess -> "backbone" (its first inner model) -> head layers, so Grad-CAM finds
    its feature maps; any other model becomes the nested layer named "backbone"."""
    import keras

    from .preprocessing import preprocess_block

    if rule.preprocessing == "inside" and model.input_shape[1] == rule.size:
        return model
    inputs = keras.Input((rule.size, rule.size, 3), dtype="uint8", name="image")
    x = inputs if rule.preprocessing == "inside" else preprocess_block(rule.preprocessing)(inputs)
    chain = _sequential_chain(model)
    bases = [layer for layer in chain if isinstance(layer, keras.Model)]
    if not bases:
        model.name, chain = "backbone", [model]
    else:
        bases[0].name = "backbone"
    for layer in chain:
        x = layer(x)
        if isinstance(x, (list, tuple)) and len(x) == 1:  # Keras 2 models list one output
            x = x[0]
    return keras.Model(inputs, x, name="opened_model")


def _sequential_chain(model) -> list:
    """The layers of a Sequential, nested Sequentials opened; [model] for anything else."""
    import keras

    if not isinstance(model, keras.Sequential):
        return [model]
    return [inner for layer in model.layers for inner in _sequential_chain(layer)]


# Keras 2 -> 3 config differences, fixed in the config text before Keras reads it.
def repair_keras2_config(node):
    """Rewrite a Keras 2 model config (parsed JSON) in place so Keras 3 reads it:

    - ``DepthwiseConv2D`` no longer takes ``groups`` (Teachable Machine's files);
    - ``BatchNormalization``'s ``axis`` is an int, not a one-element list;
    - classes saved under a tf_keras / tf.keras module path (``Functional``)
      are looked up among Keras 3's own.
    """
    if isinstance(node, list):
        for item in node:
            repair_keras2_config(item)
        return node
    if not isinstance(node, dict):
        return node
    config = node.get("config")
    if "class_name" in node and isinstance(config, dict):
        if node["class_name"] == "DepthwiseConv2D":
            config.pop("groups", None)
        axis = config.get("axis")
        if node["class_name"] == "BatchNormalization" and isinstance(axis, list) \
                and len(axis) == 1:
            config["axis"] = axis[0]
        module = node.get("module")
        if isinstance(module, str) and not module.startswith("keras."):
            node.pop("module")
            node.pop("registered_name", None)
    for value in node.values():
        repair_keras2_config(value)
    return node


def load_keras2_h5(path: Path):
    """A Keras 2 ``.h5`` model in Keras 3: its config repaired, weights as saved, safe mode on."""
    import h5py
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "model.h5"
        shutil.copyfile(path, copy)
        with h5py.File(copy, "r+") as f:
            text = f.attrs.get("model_config")
            if text is None:
                raise ModelFileError(f"{path.name} holds weights only, no model; Keras needs "
                                     "the whole model saved (model.save).")
            config = json.loads(text.decode("utf-8") if hasattr(text, "decode") else text)
            f.attrs["model_config"] = json.dumps(repair_keras2_config(config))
        return keras.saving.load_model(copy, safe_mode=True, compile=False)


class RuntimePredictor:
    """A Predictor for a model that only its own runtime runs (LiteRT, ONNX Runtime,
    a SavedModel): the same interface as core.inference.Predictor, ``model = None``."""

    litert_path = None  # no Keras model here: no int8 version is made of it

    def __init__(self, runner, rule: InputRule, labels, description: str, runtime: str,
                 channels_first: bool = False, own_runner=None):
        self.model = None
        self._own_runner = own_runner  # threads -> a fresh runner, where sharing would stall
        self.class_names = list(labels)
        self.input_size = rule.size
        self.input_rule = rule
        self.description = description
        self.runtime = runtime
        self.device = "CPU"
        self.threshold = 0.0
        self._runner, self._channels_first = runner, channels_first
        self._lock = threading.Lock()
        self.output_classes = int(self.predict(np.zeros((1, rule.size, rule.size, 3),
                                                        np.uint8)).shape[-1])

    def predict(self, images: np.ndarray) -> np.ndarray:
        images = np.ascontiguousarray(images, dtype=np.uint8)
        if images.ndim == 3:
            images = images[None]
        x = images
        if self.input_rule.preprocessing != "inside":
            from .preprocessing import steps

            x = steps(self.input_rule.preprocessing).apply(images)
        if self._channels_first:
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        with self._lock:
            return np.asarray(self._runner(x), dtype=np.float32)

    def predict_one(self, image: np.ndarray) -> np.ndarray:
        return self.predict(image[None])[0]

    def with_own_runtime(self, litert_path=None, threads: int | None = None):
        """This predictor on a runner of its own (a LiteRT interpreter resizes per batch
        shape, so a folder job must not share the panels' one); ``litert_path`` is
        ignored: these models have no int8 version here."""
        if self._own_runner is None:
            return self
        twin = copy.copy(self)
        twin._lock = threading.Lock()
        twin._runner = self._own_runner(threads)
        return twin


def _load_tflite(path: Path, labels, meta, progress):
    from .inference import LiteRT

    runner = LiteRT(path)
    detail = runner.interpreter.get_input_details()[0]
    dtype = np.dtype(detail["dtype"]).name
    # A quantised uint8 input takes raw pixels; int8 and float inputs need preprocessing.
    rule = _rule(list(detail["shape_signature"]), dtype, meta)
    return RuntimePredictor(runner, rule, labels, f"{path.name} ({rule.describe()})",
                            "LiteRT (TFLite file)",
                            own_runner=lambda threads: LiteRT(path, threads))


def _load_onnx(path: Path, labels, meta, progress):
    try:
        import onnxruntime
    except ImportError:
        raise ModelFileError("Opening .onnx files needs the onnxruntime package: "
                             "pip install onnxruntime.") from None
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    spec = session.get_inputs()[0]
    shape = list(spec.shape)
    channels_first = len(shape) == 4 and shape[1] == 3 and shape[3] != 3
    nhwc = [shape[0], shape[2], shape[3], shape[1]] if channels_first else shape
    dtype = "uint8" if spec.type == "tensor(uint8)" else "float32"
    rule = _rule(nhwc, dtype, meta)
    name = spec.name
    return RuntimePredictor(lambda x: session.run(None, {name: x})[0], rule, labels,
                            f"{path.name} ({rule.describe()})", "ONNX Runtime (CPU)",
                            channels_first)


def _load_savedmodel(path: Path, labels, meta, progress):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    signatures = dict(loaded.signatures)
    function = signatures.get("serving_default") or next(iter(signatures.values()), None)
    if function is None:
        raise ModelFileError(f"{path.name} has no serving signature to call.")
    name, spec = next(iter(function.structured_input_signature[1].items()))
    rule = _rule(list(spec.shape), spec.dtype.name, meta)

    def run(x):
        out = function(**{name: tf.constant(x, spec.dtype)})
        return next(iter(out.values())).numpy() if isinstance(out, dict) else out.numpy()

    run.keep_alive = loaded  # the loaded object owns the variables
    return RuntimePredictor(run, rule, labels, f"{path.name} ({rule.describe()})",
                            "TensorFlow (SavedModel)")


_LOADERS = {"keras": _load_keras, "h5": _load_keras, "tflite": _load_tflite,
            "onnx": _load_onnx, "savedmodel": _load_savedmodel}


def load_for_export(ref) -> tuple:
    """``(keras_model, meta)`` of a bundle or a Keras model file, ready for core.export.

    The model takes uint8 RGB (a float-input file gets its preprocessing in
    front); ``meta`` has the class names, input size and a threshold.
    Raises ModelFileError for formats without a Keras model (.tflite, .onnx,
    SavedModel): those are already exports.
    """
    from . import bundle

    if bundle.is_bundle(ref):
        return bundle.load(ref)
    model_path, kind = locate(ref)
    if kind not in ("keras", "h5"):
        raise ModelFileError(f"{model_path.name} is a {kind} file: only Keras models (a bundle, "
                             ".keras or .h5) can be exported to other formats.")
    labels = find_labels(model_path)
    if labels is None:
        raise LabelsMissing(model_path)
    model, rule = open_keras_model(model_path, metadata_beside(model_path))
    meta = {"class_names": labels, "input_size": rule.size, "backbone": model_path.stem,
            "threshold": 0.0, "metrics": {}, "source": str(model_path)}
    return model, meta
