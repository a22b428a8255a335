"""Backbone Studio's core: everything the app can do, as plain Python.

Nothing in this package imports Qt (checked by import-linter in CI).
TensorFlow and Keras are imported inside functions, never at module level,
so that the window can appear before they load.
"""

APP_NAME = "Backbone Studio"
APP_VERSION = "0.1.0"
