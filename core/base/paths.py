"""Where the app keeps its files: resources shipped with it, and a cache."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding main.py, or the frozen app's data folder."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return app_root() / "resources"


def data_home() -> Path:
    """The app's own cache (converted weights, LiteRT files, embeddings).

    ``BACKBONE_STUDIO_HOME`` moves it (tests point it at a temporary folder).
    """
    base = os.environ.get("BACKBONE_STUDIO_HOME")
    path = Path(base) if base else Path.home() / ".backbone_studio"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir(name: str) -> Path:
    path = data_home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def keras_models_dir() -> Path:
    """Where Keras looks for (and the app downloads) keras.applications weights."""
    base = os.environ.get("KERAS_HOME") or str(Path.home() / ".keras")
    return Path(base) / "models"


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new bytes.

    ``durable`` False skips the fsync: for cache files, which a power cut
    may lose (they are only computed again) but never leaves half-written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk leaves no half file behind, not even the temporary
        _unlink_quietly(tmp)
        raise


def atomic_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (times kept) so that ``target`` is whole or absent."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_record(path: Path) -> dict:
    """A small JSON object the app keeps (measured speeds, sizes, imports):
    ``{}`` when the file is missing, unreadable or not an object."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def update_record(path: Path, key: str, value) -> None:
    """Set ``key`` in the JSON object at ``path`` (made if missing), atomically."""
    record = read_record(path)
    record[key] = value
    atomic_write_text(path, json.dumps(record, indent=1))


def cache_key(*parts) -> str:
    """The one form of a cache key: what identifies the cached thing, joined by "|"
    (a backbone and its weights' identity, a file's hash, an input rule)."""
    return "|".join(str(part) for part in parts)


def file_hash(path, algorithm: str = "sha256") -> str:
    """Hex digest of the file's bytes, remembered while its size and mtime hold."""
    stat = os.stat(path)
    return _hash(str(path), algorithm, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=65536)
def _hash(path: str, algorithm: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_versioned_json(path: Path, kind: str, newest: int, error=ValueError) -> dict:
    """A JSON object whose integer ``schema_version`` is at most ``newest``.

    ``kind`` names the document in sentences ("project manifest"). A missing
    file raises ``FileNotFoundError``; anything else wrong raises
    ``error(sentence)``.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise error(f"{path} could not be read ({exc}).") from None
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if not isinstance(version, int):
        raise error(f"{path} is not a Backbone Studio {kind}.")
    if version > newest:
        raise error(f"{path.parent.name} was saved by a newer version of Backbone Studio "
                    f"({kind} format {version}); update the app to open it.")
    return doc


def safe_folder_name(label: str) -> str:
    """A folder name for a class label on any file system (the label itself is kept elsewhere)."""
    return re.sub(r"[^\w\- ]", "_", label).strip() or "unnamed"


def free_name(folder: Path, name: str) -> Path:
    """``folder / name``, or ``name (2).ext``, ``name (3).ext``... if that is taken."""
    stem, suffix = Path(name).stem, Path(name).suffix
    target, n = Path(folder) / name, 2
    while target.exists():
        target, n = Path(folder) / f"{stem} ({n}){suffix}", n + 1
    return target
