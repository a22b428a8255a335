"""Read a PyTorch state dict into numpy arrays, without torch.

Only the legacy (pre-1.6, non-zip) ``torch.save`` format the bundled
EfficientNet-Lite0 package ships is supported. The unpickler is restricted:
it builds tensors in (ordered) dicts and refuses anything else, so a weights
file can never run code.
"""
from __future__ import annotations

import collections
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The legacy (pre-1.6, non-zip) torch.save format: a magic-number pickle, a
# protocol pickle, a sys-info pickle, the object pickle (tensors refer to
# storages by persistent id), a pickle listing the storage keys, then per
# storage its element count (int64) and raw little-endian bytes.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


@dataclass(frozen=True)
class _StorageType:
    dtype: type


@dataclass
class _TensorRef:
    """A tensor before its storage bytes are read."""

    key: str
    offset: int
    size: tuple
    stride: tuple


def _rebuild_tensor_v2(storage_key, storage_offset, size, stride, *_ignored):
    return _TensorRef(storage_key, storage_offset, tuple(size), tuple(stride))


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles a state dict and nothing else.

    ``find_class`` accepts only ``collections.OrderedDict``,
    ``torch._utils._rebuild_tensor_v2`` and torch's typed storage classes;
    anything else raises ``pickle.UnpicklingError``. Storages are given as
    persistent ids and recorded in :attr:`storages` (key -> dtype).
    """

    def __init__(self, file):
        super().__init__(file)
        self.storages: dict[str, type] = {}

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(STORAGE_DTYPES[name])
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        key = str(pid[2])
        self.storages[key] = pid[1].dtype
        return key


def read_torch_state_dict(path) -> dict[str, np.ndarray]:
    """Read a ``torch.save``-d state dict into numpy arrays, without torch.

    Supports the legacy (non-zip) format the Lite0 package ships. Raises
    ``pickle.UnpicklingError`` for anything but tensors in (ordered) dicts,
    ``ValueError`` for a zip-format or malformed file.
    """
    path = Path(path)
    if zipfile.is_zipfile(path):
        raise ValueError(f"{path.name} uses the zip checkpoint format, which this "
                         "reader does not support.")
    with open(path, "rb") as f:
        if RestrictedUnpickler(f).load() != LEGACY_MAGIC:
            raise ValueError(f"{path.name} is not a PyTorch checkpoint.")
        RestrictedUnpickler(f).load()  # protocol version
        RestrictedUnpickler(f).load()  # sys info (endianness, type sizes)
        unpickler = RestrictedUnpickler(f)
        state = unpickler.load()
        keys = RestrictedUnpickler(f).load()
        storages = {str(key): _read_storage(f, unpickler.storages[str(key)]) for key in keys}
    return {name: _materialise(ref, storages) for name, ref in state.items()}


def _read_storage(f, dtype) -> np.ndarray:
    count = int.from_bytes(f.read(8), "little", signed=True)
    nbytes = count * np.dtype(dtype).itemsize
    data = f.read(nbytes)
    if len(data) != nbytes:
        raise ValueError("the checkpoint file is truncated")
    return np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))


def _materialise(ref, storages) -> np.ndarray:
    if not isinstance(ref, _TensorRef):
        raise ValueError(f"expected a tensor in the state dict, found {type(ref).__name__}")
    flat = storages[ref.key]
    itemsize = flat.dtype.itemsize
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride))
    if ref.size and last >= flat.size:
        raise ValueError("a tensor reaches past the end of its storage")
    view = np.lib.stride_tricks.as_strided(
        flat[ref.offset:], shape=ref.size, strides=[s * itemsize for s in ref.stride])
    return np.array(view)
