"""core.base."""
