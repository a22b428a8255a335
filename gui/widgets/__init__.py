"""Reusable widgets: top-k bars, a frame view, thumbnails and their grid, a job bar, a
message line, a confusion matrix, drop helpers."""
