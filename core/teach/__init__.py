"""core.teach."""
