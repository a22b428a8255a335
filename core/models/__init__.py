"""core.models.build."""
