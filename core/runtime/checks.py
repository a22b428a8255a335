"""Cheap checks that a model file is whole before a runtime tries to load it.

A truncated download or a half-copied file makes Keras, LiteRT and ONNX
Runtime fail with errors only their authors can read (or crash the process
in native code). These checks read the file's container (zip, flatbuffer,
protobuf, HDF5) and raise :class:`ModelFileError` with a sentence instead.
They do not prove a model is good; the loaders still do that.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.runtime.errors import ModelFileError

_ADVICE = "copy or export it again"


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
KIND_NAMES = {"keras": "Keras (.keras)", "h5": "Keras HDF5 (.h5)", "tflite": "TFLite",
              "onnx": "ONNX"}


def content_kind(path) -> str | None:
    """The format a file's first bytes say it is: "tflite" (b"TFL3" at offset 4),
    "h5" (the HDF5 signature), "keras" (a zip), "onnx" (a protobuf opening with
    ONNX's ir_version field), or None (empty, unreadable or none of these)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if head[4:8] == b"TFL3":
        return "tflite"
    if head == HDF5_SIGNATURE:
        return "h5"
    if head.startswith(b"PK\x03\x04"):
        return "keras"
    return "onnx" if head[:1] == b"\x08" else None


def check_model_file(path, kind: str | None = None) -> None:
    """Raise :class:`ModelFileError` when ``path`` is visibly not a whole model file.

    Knows ``.keras`` (zip with ``config.json`` and weights), ``.tflite``
    (flatbuffer "TFL3"), ``.onnx`` (protobuf with a graph) and ``.h5`` (HDF5),
    by ``kind`` when given (what the file's content says), else by suffix;
    other suffixes and folders pass through unchecked.
    """
    path = Path(path)
    check = _CHECKS.get(f".{kind}" if kind else path.suffix.lower())
    if check is None or path.is_dir():
        return
    if not path.is_file():
        raise ModelFileError(f"{path} does not exist.")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{path.name} is empty (0 bytes); {_ADVICE}.")
    check(path)


def _check_keras(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()  # reads every member: finds a truncated or altered file
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(f"{path.name} is damaged or truncated: it is not a whole Keras "
                             f"file ({exc}); {_ADVICE}.") from None
    if bad is not None:
        raise ModelFileError(f"{path.name} is damaged: its part {bad} does not match its "
                             f"checksum; {_ADVICE}.")
    if "config.json" not in names:
        raise ModelFileError(f"{path.name} is a zip file but not a Keras model (it has no "
                             "config.json).")


def _check_tflite(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(8)
    if len(head) < 8 or head[4:8] != b"TFL3":
        raise ModelFileError(f"{path.name} is not a TensorFlow Lite model (it lacks the TFL3 "
                             f"mark); {_ADVICE}.")
    try:
        data = path.read_bytes()
        model = read_tflite(data)
        if not model.subgraphs:
            raise ValueError("no subgraph")
    except Exception as exc:  # the flatbuffer reader raises many kinds for a cut file
        raise ModelFileError(f"{path.name} is damaged or truncated ({type(exc).__name__}); "
                             f"{_ADVICE}.") from None
    if any(offset > 1 and offset + size > len(data) for *_, offset, size in model.buffers):
        raise ModelFileError(f"{path.name} is truncated: its weights end past the end of "
                             f"the file; {_ADVICE}.")


@dataclass(frozen=True)
class TFLiteFile:
    """What the checks and the metadata reader need of a TFLite flatbuffer: how many
    subgraphs; each buffer as (start, length) inside the flatbuffer and (offset, size)
    after it (models over 2 GB); each metadata entry's buffer by name."""

    subgraphs: int
    buffers: list[tuple[int, int, int, int]]
    metadata: dict[str, int]

    def buffer(self, data: bytes, index: int) -> bytes:
        start, length, *_ = self.buffers[index]
        return bytes(data[start:start + length])


def read_tflite(data: bytes) -> TFLiteFile:
    """Read TFLite's schema (Model: subgraphs field 2, buffers 4, metadata 6; Buffer:
    data 0, offset 1, size 2; Metadata: name 0, buffer 1) with flatbuffers' own
    Table: no TensorFlow, and 25 ms less than LiteRT's generated schema module.
    Raises for an offset outside ``data`` (a cut file)."""
    from flatbuffers import encode, number_types
    from flatbuffers.table import Table

    root = Table(data, encode.Get(number_types.UOffsetTFlags.packer_type, data, 0))
    buffers = []
    for buffer in _tables(root, 4):
        start, length = _vector(buffer, 0)
        if start + length > len(data):
            raise ValueError("a buffer ends past the end of the file")
        buffers.append((start, length, _scalar(buffer, 1, number_types.Uint64Flags),
                        _scalar(buffer, 2, number_types.Uint64Flags)))
    metadata = {entry.String(_slot(entry, 0) + entry.Pos).decode():
                _scalar(entry, 1, number_types.Uint32Flags) for entry in _tables(root, 6)}
    return TFLiteFile(_vector(root, 2)[1], buffers, metadata)


def _slot(table, field: int) -> int:
    return table.Offset(4 + 2 * field)


def _scalar(table, field: int, flags) -> int:
    slot = _slot(table, field)
    return table.Get(flags, slot + table.Pos) if slot else 0


def _vector(table, field: int) -> tuple[int, int]:
    """(start, length) of a vector field; (0, 0) when absent."""
    slot = _slot(table, field)
    return (table.Vector(slot), table.VectorLen(slot)) if slot else (0, 0)


def _tables(table, field: int) -> list:
    from flatbuffers.table import Table

    start, length = _vector(table, field)
    return [Table(table.Bytes, table.Indirect(start + 4 * i)) for i in range(length)]


def _check_onnx(path: Path) -> None:
    try:
        import onnx
    except ImportError:
        return  # the loader says what is missing
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ModelFileError(f"{path.name} is damaged or truncated: it is not a whole ONNX "
                             f"model ({type(exc).__name__}); {_ADVICE}.") from None
    if not model.graph.node or not model.graph.input:
        raise ModelFileError(f"{path.name} holds no ONNX graph; {_ADVICE}.")


def _check_h5(path: Path) -> None:
    try:
        import h5py

        with h5py.File(path, "r") as f:
            if "model_config" not in f.attrs and "model_weights" not in f and not len(f):
                raise ValueError("empty")
    except Exception as exc:  # h5py raises OSError for a cut file, KeyError for odd ones
        raise ModelFileError(f"{path.name} is damaged or not a Keras HDF5 file "
                             f"({type(exc).__name__}); {_ADVICE}.") from None


_CHECKS = {".keras": _check_keras, ".tflite": _check_tflite, ".onnx": _check_onnx,
           ".h5": _check_h5, ".hdf5": _check_h5}
