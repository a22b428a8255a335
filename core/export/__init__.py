"""core.export.exporter."""
