"""core.runtime.loading."""
