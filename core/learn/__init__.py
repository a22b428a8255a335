"""core.learn."""
