"""Weights for one backbone: download both of its files, or import one, checked by building."""
from __future__ import annotations

from pathlib import Path

from core.base.jobs import Progress, ShouldStop, never_stop, no_progress, sub_progress
from core.models.build import build_base
from core.models.weights import download, import_file


def import_for_backbone(spec, source, progress: Progress = no_progress,
                        should_stop: ShouldStop = never_stop) -> Path:
    """Import a weights file for backbone ``spec``: its classifier (top) or
    headless (notop) file, told apart by the file's name; checked by building."""
    include_top = Path(source).name != getattr(spec.notop_weights, "filename", None)
    target = spec.weights_for(include_top)
    progress(0.2, f"Checking that the file fits {spec.name}")

    def accept(path):
        build_base(spec, include_top=include_top, weights_choice=str(path))

    return import_file(target, Path(source), accept)


def download_for_backbone(spec, progress: Progress = no_progress,
                          should_stop: ShouldStop = never_stop) -> Path:
    """Download ``spec``'s ImageNet weights: the classifier's, then the headless
    file training builds on (a file already here is kept)."""
    files = [spec.top_weights, spec.notop_weights]
    for n, file in enumerate(files):
        if not file.local_path.exists():
            download(file, spec.name, sub_progress(progress, n / 2, (n + 1) / 2), should_stop)
    return spec.top_weights.local_path
