"""ImageNet's 1000 class names, shipped in resources/ (Keras would download them)."""
from __future__ import annotations

import json
from functools import lru_cache

from core.base import paths


@lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet class names in index order, in words ("tiger cat")."""
    index = json.loads((paths.resources_dir() / "imagenet_class_index.json").read_text())
    return tuple(index[str(i)][1].replace("_", " ") for i in range(len(index)))
