"""core.compare.comparison."""
