"""How numbers and files read in the views."""
from __future__ import annotations

from pathlib import Path


def short_name(path) -> str:
    return Path(path).name


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
