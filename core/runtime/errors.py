"""The errors a model reference can raise; ``str()`` of each is the user's sentence."""


class BundleError(Exception):
    """A folder is not a usable bundle; ``str()`` is the user's sentence."""


class ModelFileError(BundleError):
    """A model file is damaged, truncated, of the wrong kind or cannot be opened.

    A BundleError, so every place that reports a bad bundle reports a bad
    model file too; ``str()`` is the user's sentence."""


class LabelsMissing(ModelFileError):
    """The model opened but nothing says what its classes are called."""

    def __init__(self, model_path):
        self.model_path = model_path
        super().__init__(
            f"{model_path.name} has no class names: put a labels.txt beside it (one class "
            "per line, e.g. '0 cat') or a model.json with \"class_names\", then open it again.")


def refusal_cause(exc: BaseException) -> str:
    """The cause in a runtime's error, whole, for the user's sentence: the first
    sentence of the innermost "Exception encountered:" part Keras wraps around it
    (its config dump is left to the log), else of the message; never cut mid-word."""
    text = str(exc).strip()
    if "Exception encountered:" in text:
        text = text.rsplit("Exception encountered:", 1)[1].strip()
    first = text.split("\n\n")[0].replace("\n", " ").strip()
    end = first.find(". ")
    return f"{type(exc).__name__}: {first[:end + 1] if end > 0 else first}".rstrip()
