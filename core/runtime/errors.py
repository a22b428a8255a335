"""The errors a model reference can raise; ``str()`` of each is the user's sentence."""


class BundleError(Exception):
    """A folder is not a usable bundle; ``str()`` is the user's sentence."""


class ModelFileError(BundleError):
    """A model file is damaged, truncated, of the wrong kind or cannot be opened.

    A BundleError, so every place that reports a bad bundle reports a bad
    model file too; ``str()`` is the user's sentence."""
