"""A lesson's results on disk: saved as JSON (the CLI's document), reopened, and
its chart's points as CSV."""
from __future__ import annotations

import json
from pathlib import Path

from core.base.paths import atomic_write_text
from core.learn.lessons.catalog import LessonResult
from core.learn.lessons.runner import Point, VariantResult
from core.learn.lessons.seeds import to_json


def save(result: LessonResult, path: Path) -> None:
    """Write ``result`` as the ``lesson --format json`` document (OSError on a disk fault)."""
    atomic_write_text(Path(path), json.dumps(to_json(result), indent=1))


def load(path: Path) -> LessonResult:
    """Reopen a saved result; ValueError when the file is not one."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        variants = [VariantResult(**v) for v in document.pop("variants")]
        document.pop("spread", None)  # recomputed from "seeds"
        return LessonResult(**document, variants=variants)
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{Path(path).name} is not a saved lesson ({exc}).") from None


def points(result: LessonResult) -> list[Point]:
    """The chart's points, rebuilt from the variants (per epoch, or per labelled set)."""
    out = []
    for v in result.variants:
        if "images_per_class" in v.extra:
            out.append(Point(v.extra["series"], v.extra["images_per_class"], v.val_accuracy,
                             dashed=v.extra["series"].endswith("scratch")))
            continue
        for epoch, (train, val) in enumerate(zip(v.train_error, v.val_error), start=1):
            out.append(Point(f"{v.name} training", epoch, train))
            out.append(Point(f"{v.name} validation", epoch, val, dashed=True))
    return out


def to_csv(result: LessonResult) -> str:
    """``series,x,y`` lines, one per point of the chart."""
    lines = ["series,x,y"] + [f'"{p.series}",{p.x:g},{p.y:.6f}' for p in points(result)]
    return "\n".join(lines) + "\n"
