"""How numbers and files read in the views."""
from __future__ import annotations

from pathlib import Path


def short_name(path) -> str:
    return Path(path).name


def elide(text: str, limit: int = 60) -> str:
    """``text`` cut in the middle to at most ``limit`` characters (its end, often a file name,
    stays readable)."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[:keep // 2] + "…" + text[len(text) - (keep - keep // 2):]


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def unknown_rule(threshold) -> str:
    """The summary's words for the unknown threshold; 0 means no image is ever "unknown"."""
    if not threshold:
        return "never “unknown”"
    return f"“unknown” below {percent(threshold)}"
