from gui.widgets.text import unknown_rule


def test_a_zero_threshold_reads_never_unknown_not_below_zero_percent():
    assert unknown_rule(0.0) == "never “unknown”"
    assert unknown_rule(0.35) == "“unknown” below 35.0%"
