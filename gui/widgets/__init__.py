"""Reusable widgets: top-k bars, a frame view, thumbnails, drop helpers."""
