"""A labelled project on disk: classes, samples, import, checks, split.

A project is a folder holding ``project.json`` (the manifest) and, for images
copied in, ``images/<class>/<file>``. The manifest is the truth: it lists the
classes in order and every sample (its path, relative to the project for a
copied image or absolute for an image referenced in place, its class and
when it was added). A sample's class is the manifest's, not its folder's, so
renaming, merging a class or moving a sample only rewrites the manifest.

Crash safety: the manifest is written whole to a temporary file and renamed
over the old one on every change, so it is always a valid file; a copied
image is written to a temporary name and renamed into place before the
manifest names it. :meth:`Project.open` finishes what a crash interrupted:
it removes leftover temporary files and adopts images found in
``images/<class>/`` that the manifest does not list yet (copied just before
the crash), so no image that reached the project is lost.

DATA_DIR (the command line's input) is the plain convention without a
manifest: one sub-folder per class; :func:`load_folder` reads it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from core.base import paths
from core.base.jobs import Cancelled, Progress, ShouldStop, never_stop, no_progress
from core.images.decode import ImageError, find_images, is_image_file

MANIFEST = "project.json"
IMAGES = "images"
SCHEMA_VERSION = 1
TMP_SUFFIX = ".tmp"
CHECKPOINT_SECONDS = 1.0  # an import rewrites the manifest at most this often


class ProjectError(Exception):
    """A project could not be opened or changed; ``str()`` is the user's sentence."""


class LabelledImage(NamedTuple):
    """One image with its class, as training and evaluation take them."""

    path: Path
    class_name: str


@dataclass
class Sample:
    """One labelled image of a project.

    ``path`` is POSIX-style, relative to the project folder for a copied image
    and absolute for an image referenced in place.
    """

    path: str
    class_name: str
    added: str = field(default_factory=lambda: _now())

    @property
    def referenced(self) -> bool:
        return Path(self.path).is_absolute()

    def to_json(self) -> dict:
        return {"path": self.path, "class": self.class_name, "added": self.added}


@dataclass
class Added:
    """A batch an import brought into a project: classes to create, then samples."""

    samples: list
    classes: list[str]


OnAdded = Callable[[Added], None]


@dataclass
class Project:
    """A labelled project; every change method saves the manifest at once.

    A change whose save fails (a full disk) is undone in memory too, so the
    project in memory is always the one on disk.
    """

    root: Path
    classes: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)

    # ---------------------------------------------------------------- files

    @classmethod
    def create(cls, root) -> "Project":
        """A new, empty project in ``root`` (created; must not hold a project)."""
        root = Path(root)
        if (root / MANIFEST).exists():
            raise ProjectError(f"{root} already holds a project; open it instead.")
        project = cls(root)
        project.save()
        return project

    @classmethod
    def open(cls, root) -> "Project":
        """Read ``root/project.json`` and recover from an interrupted change."""
        root = Path(root)
        manifest = root / MANIFEST
        try:
            doc = paths.read_versioned_json(manifest, "project manifest", SCHEMA_VERSION,
                                            ProjectError)
        except FileNotFoundError:
            raise ProjectError(f"{root} is not a project (it has no {MANIFEST}).") from None
        try:
            samples = [Sample(s["path"], s["class"], s.get("added", "")) for s in doc["samples"]]
        except (KeyError, TypeError):
            raise ProjectError(f"{manifest} is damaged: a sample lacks its path or "
                               "class.") from None
        classes = list(doc.get("classes", []))
        classes += sorted({s.class_name for s in samples} - set(classes))
        project = cls(root, classes, samples)
        project._recover()
        return project

    def save(self) -> None:
        """Write the manifest atomically (temporary file, then rename)."""
        doc = {"schema_version": SCHEMA_VERSION, "classes": self.classes,
               "samples": [s.to_json() for s in self.samples]}
        paths.atomic_write_text(self.root / MANIFEST, json.dumps(doc, indent=1))

    @contextlib.contextmanager
    def _saved_change(self):
        """Change the project in the ``with`` block, then save the manifest.

        When the change is refused or the save fails (a full disk), the
        classes and samples are put back as they were, so memory keeps
        matching the manifest on disk.
        """
        classes, samples = self.classes, self.samples
        before = list(classes), [(s, s.class_name) for s in samples]
        try:
            yield
            self.save()
        except BaseException:
            classes[:] = before[0]
            samples[:] = [sample for sample, _ in before[1]]
            for sample, label in before[1]:
                sample.class_name = label
            self.classes, self.samples = classes, samples
            raise

    def _recover(self) -> None:
        """Drop temporary files; adopt copied images the manifest lacks."""
        for stale in self.root.glob(f".{MANIFEST}.*{TMP_SUFFIX}"):
            stale.unlink(missing_ok=True)
        images = self.root / IMAGES
        if not images.is_dir():
            return
        known = {s.path for s in self.samples}
        class_of_folder = {paths.safe_folder_name(name): name for name in self.classes}
        adopted = False
        for folder in sorted(p for p in images.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.name.endswith(TMP_SUFFIX):
                    path.unlink(missing_ok=True)
                elif (path.is_file() and is_image_file(path)
                      and path.relative_to(self.root).as_posix() not in known):
                    # An import stopped by a crash before its class was recorded
                    # leaves a folder of copies: the folder names the class.
                    class_name = class_of_folder.setdefault(folder.name, folder.name)
                    if class_name not in self.classes:
                        self.classes.append(class_name)
                    relative = path.relative_to(self.root).as_posix()
                    self.samples.append(Sample(relative, class_name))
                    adopted = True
        if adopted:
            self.save()

    def snapshot(self) -> "Project":
        """A copy of the project as it is now, for a worker: later edits (on the
        thread that owns the project) do not reach it, nor its changes this one."""
        return Project(self.root, list(self.classes),
                       [dataclasses.replace(s) for s in self.samples])

    # ----------------------------------------------------------------- views

    def absolute(self, sample: Sample) -> Path:
        return Path(sample.path) if sample.referenced else self.root / sample.path

    def counts(self) -> dict[str, int]:
        """Class name -> number of samples, in class order."""
        counts = {name: 0 for name in self.classes}
        for sample in self.samples:
            counts[sample.class_name] += 1
        return counts

    def samples_of(self, class_name: str) -> list[Sample]:
        return [s for s in self.samples if s.class_name == class_name]

    def labelled(self) -> list[LabelledImage]:
        """Every sample as (absolute path, class), in manifest order."""
        return [LabelledImage(self.absolute(s), s.class_name) for s in self.samples]

    def find(self, path) -> Sample:
        """The sample whose manifest path or absolute path is ``path``."""
        key = str(path)
        for sample in self.samples:
            if sample.path == key or str(self.absolute(sample)) == key:
                return sample
        raise ProjectError(f"{path} is not a sample of this project.")

    # --------------------------------------------------------------- classes

    def add_class(self, name: str) -> None:
        name = _check_class_name(name)
        if name in self.classes:
            raise ProjectError(f"There is already a class called {name!r}.")
        with self._saved_change():
            self.classes.append(name)

    def rename_class(self, old: str, new: str) -> None:
        """Rename a class; its samples follow (files stay where they are)."""
        self._require_class(old)
        new = _check_class_name(new)
        if new != old and new in self.classes:
            raise ProjectError(f"There is already a class called {new!r}; merge instead.")
        with self._saved_change():
            self.classes[self.classes.index(old)] = new
            for sample in self.samples:
                if sample.class_name == old:
                    sample.class_name = new

    def merge_classes(self, sources: Sequence[str], target: str) -> None:
        """Move every sample of ``sources`` into ``target`` (created if new)."""
        for name in sources:
            self._require_class(name)
        target = _check_class_name(target)
        with self._saved_change():
            if target not in self.classes:
                self.classes.insert(self.classes.index(sources[0]), target)
            for sample in self.samples:
                if sample.class_name in sources:
                    sample.class_name = target
            self.classes = [c for c in self.classes if c == target or c not in sources]

    def delete_class(self, name: str) -> None:
        """Remove a class and its samples; copied images are deleted too."""
        self._require_class(name)
        doomed = self.samples_of(name)
        with self._saved_change():  # first: a crash now leaves stray files, never missing ones
            self.classes.remove(name)
            self.samples = [s for s in self.samples if s.class_name != name]
        self._delete_files(doomed)

    def _require_class(self, name: str) -> None:
        if name not in self.classes:
            raise ProjectError(f"There is no class called {name!r}.")

    # --------------------------------------------------------------- samples

    def move_samples(self, samples: Sequence, class_name: str) -> None:
        """Relabel samples (or their paths) as ``class_name``."""
        self._require_class(class_name)
        with self._saved_change():
            for item in samples:
                self._as_sample(item).class_name = class_name

    def delete_samples(self, samples: Sequence) -> None:
        """Remove samples; copied images are deleted, referenced ones left alone."""
        doomed = [self._as_sample(item) for item in samples]
        ids = {id(s) for s in doomed}
        with self._saved_change():
            self.samples = [s for s in self.samples if id(s) not in ids]
        self._delete_files(doomed)

    def _as_sample(self, item) -> Sample:
        return item if isinstance(item, Sample) else self.find(item)

    def _delete_files(self, doomed: Sequence[Sample]) -> None:
        for sample in doomed:
            if not sample.referenced:
                self.absolute(sample).unlink(missing_ok=True)

    def add_images(self, files: Sequence, class_name: str, copy: bool = True,
                   progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
                   on_added: OnAdded | None = None) -> list[Sample]:
        """Add image files to ``class_name`` (created if new); returns the new samples.

        ``copy`` puts a copy under ``images/<class>/``; otherwise the file is
        referenced where it is. Files are not decoded here (see
        :meth:`warnings`). A job: on cancel what was added is kept, then
        :class:`Cancelled` is raised. Without ``on_added`` the project records
        the samples itself; with it, this only writes image files (safe on a
        worker thread) and hands each batch to ``on_added`` for :meth:`adopt`
        on the thread that owns the project.
        """
        class_name = _check_class_name(class_name)
        items = [(Path(f), class_name) for f in files]
        return self._bring_in(items, [class_name], copy, progress, should_stop, on_added)

    def import_tree(self, folder, copy: bool = True, progress: Progress = no_progress,
                    should_stop: ShouldStop = never_stop,
                    on_added: OnAdded | None = None) -> list[Sample]:
        """Import a folder-per-class tree (DATA_DIR); returns the new samples.

        Each sub-folder is a class (added if new); its images, searched
        recursively, become samples. A job, like :meth:`add_images`.
        """
        items, class_names = _scan_tree(Path(folder))
        return self._bring_in([(item.path, item.class_name) for item in items],
                              [_check_class_name(n) for n in class_names], copy, progress,
                              should_stop, on_added)

    def adopt(self, added: "Added") -> None:
        """Record what :meth:`add_images` / :meth:`import_tree` brought in (new
        classes first, then samples) and save the manifest."""
        with self._saved_change():
            self.classes += [c for c in added.classes if c not in self.classes]
            self.samples += added.samples

    def _bring_in(self, items, classes, copy, progress, should_stop, on_added) -> list[Sample]:
        if on_added is None:
            if any(c not in self.classes for c in classes):
                self.adopt(Added([], classes))  # before any copy: a crash's copies are adopted
            on_added = self.adopt
        else:
            on_added(Added([], classes))
        brought: list[Sample] = []
        pending: list[Sample] = []
        last_flush = time.monotonic()
        try:
            for done, (path, class_name) in enumerate(items):
                if should_stop():
                    raise Cancelled()
                if not path.is_file():
                    raise ProjectError(f"{path} is not a file.")
                sample = self._copy_in(path, class_name) if copy else Sample(
                    path.resolve().as_posix(), class_name)
                pending.append(sample)
                brought.append(sample)
                progress((done + 1) / len(items), f"Added {path.name}")
                if time.monotonic() - last_flush > CHECKPOINT_SECONDS:
                    on_added(Added(pending, []))
                    pending, last_flush = [], time.monotonic()
        finally:
            if pending:
                on_added(Added(pending, []))
        return brought

    def add_frame(self, class_name: str, rgb: np.ndarray,
                  on_added: OnAdded | None = None) -> Sample:
        """Add one RGB frame (from a camera or a video) to ``class_name`` as a PNG
        sample written atomically; ``on_added`` as in :meth:`add_images`."""
        import cv2

        class_name = _check_class_name(class_name)
        ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ProjectError("A captured frame could not be written as an image.")
        target = self._free_path(class_name, time.strftime("capture_%Y%m%d_%H%M%S.png"))
        paths.atomic_write_bytes(target, png.tobytes())
        sample = Sample(target.relative_to(self.root).as_posix(), class_name)
        (on_added or self.adopt)(Added([sample], [class_name]))
        return sample

    def _free_path(self, class_name: str, name: str) -> Path:
        """A free file name in ``images/<class>/`` (the folder is made)."""
        folder = self.root / IMAGES / paths.safe_folder_name(class_name)
        folder.mkdir(parents=True, exist_ok=True)
        return paths.free_name(folder, name)

    def _copy_in(self, source: Path, class_name: str) -> Sample:
        """Copy ``source`` to ``images/<class>/`` under a free name, atomically."""
        target = self._free_path(class_name, source.name)
        folder = target.parent
        tmp = folder / f".{target.name}.{os.getpid()}{TMP_SUFFIX}"
        try:
            with open(source, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, target)
        except BaseException:  # a full disk leaves no partial copy
            tmp.unlink(missing_ok=True)
            raise
        return Sample(target.relative_to(self.root).as_posix(), class_name)

    # ------------------------------------------------------- checks and split

    def warnings(self, progress: Progress = no_progress,
                 should_stop: ShouldStop = never_stop) -> list["DataWarning"]:
        """What the user should know before training; never raises for bad files."""
        return check(self.labelled(), self.classes, progress, should_stop)


@dataclass(frozen=True)
class DataWarning:
    """Something worth fixing before training.

    ``kind``: "few_images", "imbalance", "duplicate" or "unreadable";
    ``message`` is the user's sentence; ``paths`` the files concerned.
    """

    kind: str
    message: str
    paths: tuple = ()
    class_name: str = ""


MIN_PER_CLASS = 10
MAX_IMBALANCE = 3.0


def check(items: Sequence[LabelledImage], classes: Sequence[str],
          progress: Progress = no_progress,
          should_stop: ShouldStop = never_stop) -> list[DataWarning]:
    """Warnings for ``items``: small classes, imbalance, duplicates, unreadable files.

    Every file is read and decoded (progress is reported; :class:`Cancelled`
    on stop). Duplicates are files with the same content (sha256).
    """
    from core.teach.embeddings import content_hash

    found: list[DataWarning] = []
    counts = {name: 0 for name in classes}
    for item in items:
        counts[item.class_name] = counts.get(item.class_name, 0) + 1
    for name, count in counts.items():
        if count < MIN_PER_CLASS:
            found.append(DataWarning("few_images", f"Class {name!r} has {count} image(s); "
                                 f"add at least {MIN_PER_CLASS} for a useful model.",
                                 class_name=name))
    nonzero = [c for c in counts.values() if c]
    if nonzero and max(nonzero) > MAX_IMBALANCE * min(nonzero):
        big = max(counts, key=counts.get)
        small = min((n for n in counts if counts[n]), key=counts.get)
        found.append(DataWarning("imbalance", f"Classes are imbalanced: {big!r} has "
                             f"{counts[big]} images, {small!r} only {counts[small]}. "
                             "Add images or turn on class weights."))
    by_hash: dict[str, list[Path]] = {}
    for done, item in enumerate(items):
        if should_stop():
            raise Cancelled()
        progress(done / max(1, len(items)), f"Checking {Path(item.path).name}")
        reason = _unreadable_reason(str(item.path))
        if reason is None:
            by_hash.setdefault(content_hash(item.path), []).append(Path(item.path))
        else:
            found.append(DataWarning("unreadable", f"{Path(item.path).name} cannot be used: "
                                 f"{reason}.", (Path(item.path),), item.class_name))
    for group in by_hash.values():
        if len(group) > 1:
            names = ", ".join(p.name for p in group)
            found.append(DataWarning("duplicate", f"{len(group)} files are the same image "
                                 f"({names}); keep one.", tuple(group)))
    progress(1.0, "Checked")
    return found


def _unreadable_reason(path: str) -> str | None:
    """Why ``path`` cannot be used (a sentence), or None when it decodes.

    Remembered per file content, so re-checking a project after a rename or
    a move decodes nothing again; a file that cannot even be read is asked
    every time.
    """
    from core.teach.embeddings import content_hash

    try:
        digest = content_hash(path)
    except OSError:
        return _decode_problem(path)
    return _decode_problem_of_content(digest, path)


@functools.lru_cache(maxsize=65536)
def _decode_problem_of_content(digest: str, path: str) -> str | None:
    return _decode_problem(path)


def _decode_problem(path: str) -> str | None:
    from core.images.decode import load_rgb

    try:
        load_rgb(path)
    except ImageError as exc:
        return exc.reason
    except OSError as exc:
        return str(exc)
    return None


def split(items: Sequence, val_fraction: float, seed: int = 0) -> tuple[list, list]:
    """Stratified, seeded split into (train, validation), each in input order.

    ``items`` are (path, class) pairs such as :class:`LabelledImage`. Each class
    with n samples gives round(n * val_fraction) to validation, but at least
    one when n >= 2 and val_fraction > 0, and always keeps one for training.
    """
    by_class: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_class.setdefault(item[1], []).append(index)
    rng = np.random.default_rng(seed)
    val_indices: set[int] = set()
    for name in sorted(by_class):
        indices = by_class[name]
        n = len(indices)
        take = round(n * val_fraction) if val_fraction > 0 else 0
        if val_fraction > 0 and n >= 2:
            take = min(max(take, 1), n - 1)
        else:
            take = 0
        val_indices.update(rng.permutation(indices)[:take].tolist())
    train = [item for i, item in enumerate(items) if i not in val_indices]
    val = [item for i, item in enumerate(items) if i in val_indices]
    return train, val


def load_folder(data_dir) -> tuple[list[LabelledImage], list[str]]:
    """Samples and class names of a DATA_DIR, or of a project folder.

    A folder with a ``project.json`` is read as a project; otherwise each
    sub-folder is a class (sorted by name) holding its images, searched
    recursively. Raises :class:`ProjectError` when there is nothing to use.
    """
    data_dir = Path(data_dir)
    if (data_dir / MANIFEST).is_file():
        project = Project.open(data_dir)
        return project.labelled(), list(project.classes)
    if not data_dir.is_dir():
        raise ProjectError(f"{data_dir} is not a folder.")
    return _scan_tree(data_dir)


def _scan_tree(folder: Path) -> tuple[list[LabelledImage], list[str]]:
    if not folder.is_dir():
        raise ProjectError(f"{folder} is not a folder.")
    class_names = sorted(p.name for p in folder.iterdir()
                         if p.is_dir() and not p.name.startswith("."))
    if not class_names:
        raise ProjectError(f"{folder} has no sub-folders: put each class's images "
                           "in a sub-folder named after the class.")
    items = [LabelledImage(path, name) for name in class_names
             for path in find_images([folder / name])]
    return items, class_names


def _check_class_name(name: str) -> str:
    name = str(name).strip()
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ProjectError(f"{name!r} cannot be a class name: use letters, digits, "
                           "spaces, '-' or '_'.")
    return name


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
