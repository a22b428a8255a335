"""core.images.decode."""
