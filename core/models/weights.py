"""The weights cache: find, download (with progress), import and verify.

keras.applications weights live where Keras itself looks for them,
``$KERAS_HOME/models/<file name>``. The app downloads them itself rather than
letting Keras do it, so that it can show progress, cancel, check the
published hash, and say plainly what is wrong when offline; the model is then
built with ``weights=<that path>``, so Keras never reaches for the network.
A backbone is never run with random weights in place of missing ones.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from core.base import paths
from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.models.errors import WeightsCorrupt, WeightsMissing

CHUNK = 1 << 20


@dataclass(frozen=True)
class WeightsFile:
    """One published keras.applications weights file."""

    filename: str
    url: str
    file_hash: str | None  # md5 (32 hex) or sha256 (64 hex), as Keras publishes

    @property
    def local_path(self) -> Path:
        return paths.keras_models_dir() / self.filename


def status(backbone) -> str:
    """One word for the models table: bundled, cached, downloadable or none."""
    if backbone.weights_kind in ("bundled", "none"):
        return backbone.weights_kind
    return "cached" if backbone.top_weights.local_path.exists() else "downloadable"


def identity(spec, include_top: bool = False) -> str:
    """What a model built from backbone ``spec``'s pretrained weights depends
    on: a string that changes whenever those weights do (an imported file
    included); "none" for random weights. The one model identity that the
    LiteRT cache and the embedding cache key on."""
    if spec.weights_kind == "bundled":
        from core.models.efficientnet_lite import bundled_weights_path

        return bundled_weights_path(spec.name).name  # carries the source file's sha256
    if spec.weights_kind != "keras":
        return "none"
    file = spec.weights_for(include_top)
    try:
        stat = file.local_path.stat()
    except OSError:  # not here yet: building the model will say so
        return f"{file.filename}:{file.file_hash}"
    return f"{file.filename}:{file.file_hash}:{stat.st_size}:{stat.st_mtime_ns}"


def missing_sentence(backbone) -> str:
    """What to tell a person whose backbone has no weights here."""
    if backbone.weights_kind == "none":
        return (f"{backbone.name} has no pretrained weights (none were ever published "
                "for it); train it from scratch on your own images in Teach.")
    return (f"{backbone.name}'s ImageNet weights are not on this computer. Download them "
            "(needs internet) or import the file "
            f"'{backbone.top_weights.filename}' with Models > Import weights.")


def _algorithm(expected: str) -> str:
    return "sha256" if len(expected) == 64 else "md5"


def _imports_record() -> Path:
    return paths.cache_dir("weights") / "imported.json"


def _imported_hashes() -> dict:
    return paths.read_record(_imports_record())


def is_trusted(weights: WeightsFile, path: Path) -> bool:
    """True if ``path`` is the published file, or one the user imported."""
    expected = weights.file_hash
    if expected and paths.file_hash(path, _algorithm(expected)) == expected:
        return True
    imported = _imported_hashes().get(weights.filename)
    return bool(imported) and paths.file_hash(path, "sha256") == imported


def require(weights: WeightsFile, backbone_name: str) -> Path:
    """The verified local file for ``weights``, or a clear error.

    Raises :class:`WeightsMissing` if absent, :class:`WeightsCorrupt` if its
    hash matches neither the published one nor an import the user made.
    A file Keras publishes no hash for is accepted as it is.
    """
    path = weights.local_path
    if not path.exists():
        raise WeightsMissing(
            f"{backbone_name}'s ImageNet weights ('{weights.filename}') are not on this "
            "computer. Download them (needs internet) or import the file.")
    if weights.file_hash and not is_trusted(weights, path):
        raise WeightsCorrupt(
            f"'{path}' is not the published {backbone_name} weights file (its hash differs): "
            "it may be damaged or from another version. Delete it and download again, "
            "or import the right file.")
    return path


def download(weights: WeightsFile, backbone_name: str, progress: Progress = no_progress,
             should_stop: ShouldStop = never_stop, timeout: float = 30.0) -> Path:
    """Download ``weights`` into the Keras cache, checking the published hash.

    The file appears only once complete and verified. Raises
    :class:`WeightsMissing` when the network cannot be reached,
    :class:`WeightsCorrupt` on a hash mismatch, ``Cancelled`` when stopped.
    """
    target = weights.local_path
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        _fetch(weights.url, partial, progress, should_stop, timeout, backbone_name)
        if weights.file_hash:
            got = paths.file_hash(partial, _algorithm(weights.file_hash))
            if got != weights.file_hash:
                raise WeightsCorrupt(
                    f"The downloaded {backbone_name} weights do not match the published hash "
                    f"({got} instead of {weights.file_hash}); try again later.")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    progress(1.0, f"{backbone_name} weights ready")
    return target


def _fetch(url, dest: Path, progress, should_stop, timeout, backbone_name) -> None:
    import urllib.error  # not at import: ssl and http cost 0.1 s of every start
    import urllib.request

    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError) as exc:
        raise WeightsMissing(
            f"Could not download {backbone_name}'s weights: no connection to the internet "
            f"({getattr(exc, 'reason', exc)}). Import the file instead, or try again "
            "online.") from None
    with response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        for chunk in iter(lambda: response.read(CHUNK), b""):
            check_stop(should_stop)
            out.write(chunk)
            done += len(chunk)
            fraction = done / total if total else 0.0
            progress(min(fraction, 0.99), f"Downloading {backbone_name}: {done / 2**20:.0f} MB")


def import_file(weights: WeightsFile, source: Path, accept) -> Path:
    """Copy a user's weights file into the cache under the name Keras expects.

    A file with the published hash is taken as is. Any other file is taken
    only if ``accept(path)`` (which loads it into the architecture) returns
    without raising; its sha256 is recorded so later loads trust it.
    """
    source = Path(source)
    if not source.is_file():
        raise WeightsMissing(f"'{source}' is not a file.")
    published = bool(weights.file_hash) and \
        paths.file_hash(source, _algorithm(weights.file_hash)) == weights.file_hash
    if not published:
        try:
            accept(source)
        except Exception as exc:  # any load failure means the wrong file
            raise WeightsCorrupt(
                f"'{source.name}' does not fit this backbone's layers ({exc}). "
                "Choose the weights file made for it.") from None
    target = weights.local_path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    if not published:
        paths.update_record(_imports_record(), weights.filename,
                            paths.file_hash(target, "sha256"))
    return target
