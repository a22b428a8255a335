"""core.runtime."""
