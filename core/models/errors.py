"""What can be wrong with a backbone's weights, as errors that carry a sentence."""


class WeightsMissing(Exception):
    """The weights a backbone needs are not on this computer (or cannot be)."""


class WeightsCorrupt(Exception):
    """A weights file is here but is not the published file."""
