"""Backbone Studio's PySide6 views, dialogs, wizard and thread workers (thin)."""
