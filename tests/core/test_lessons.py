"""core.learn.lessons: the nets match their formulas, a tiny run gives curves and a verdict,
Stop stops it, and the verdicts say what the numbers say."""
from __future__ import annotations

import pytest

from core.base.jobs import Cancelled
from core.learn.architecture import describe
from core.learn.lessons import data, nets, verdict
from core.learn.lessons.catalog import LessonSettings, run_lesson
from core.learn.lessons.runner import Point, TrainSettings, Variant, VariantResult, train_one

TINY = LessonSettings(epochs=1, limit=120)


def conv_bn(k: int, cin: int, cout: int) -> int:
    return k * k * cin * cout + 4 * cout  # no bias; BatchNorm: gamma, beta, mean, variance


def test_plain_cifar_net_has_6n_plus_2_layers_and_the_formula_s_parameters():
    n, w = 2, 8
    model = nets.cifar_net(n, shortcut=False, width=w)
    expected = conv_bn(3, 3, w)
    cin = w
    for filters in (w, 2 * w, 4 * w):
        for _ in range(n):
            expected += conv_bn(3, cin, filters) + conv_bn(3, filters, filters)
            cin = filters
    expected += 4 * w * 10 + 10
    assert model.count_params() == expected
    assert describe(model).depth == 6 * n + 2


def test_residual_net_adds_only_the_two_projections():
    plain, residual = nets.cifar_net(1, False), nets.cifar_net(1, True)
    assert residual.count_params() - plain.count_params() == conv_bn(1, 8, 16) + conv_bn(1, 16, 32)
    assert describe(residual).counts().get("residual", 0) >= 3


def test_bottleneck_block_needs_about_8x_fewer_parameters():
    c = 64
    full, squeezed = (nets.body_conv_counts(describe(nets.bottleneck_net(flag, 1, c)))
                      for flag in (False, True))
    assert full[0] == 9 * c * c
    assert squeezed[0] == c * c // 4 + 9 * (c // 4) ** 2 + c * c // 4
    assert 8 < full[0] / squeezed[0] < 9


def test_depthwise_separable_layers_have_about_8x_fewer_parameters_and_macs():
    standard, separable = (nets.body_conv_counts(describe(nets.separable_net(flag)))
                           for flag in (False, True))
    cin, expected = 32, 0
    for filters, _ in nets.SEPARABLE_WIDTHS:
        expected += 9 * cin + cin * filters
        cin = filters
    assert separable[0] == expected
    assert 7.5 < standard[0] / separable[0] < 9
    assert 7.5 < standard[1] / separable[1] < 9


def test_built_in_fashion_is_lesson_4_s_data_with_every_class_on_both_sides():
    from core.learn.lessons.catalog import get

    assert get("pretrained").built_in == "fashion" and get("residual").built_in == "digits"
    split = data.load(32, seed=1, limit=200, built_in="fashion")
    assert split.classes == 10 and split.x_train.shape[1:] == (32, 32, 3)
    assert split.source == "built-in Fashion-MNIST" and split.class_names[9] == "ankle boot"
    assert set(split.y_train) == set(split.y_val) == set(range(10))
    assert split.x_train.dtype == "uint8" and split.x_train.max() > 200


def test_digits_split_keeps_every_class_on_both_sides():
    split = data.load(16, seed=3, limit=200)
    assert split.x_train.shape[1:] == (16, 16, 3) and split.x_train.dtype == "uint8"
    assert set(split.y_train) == set(split.y_val) == set(range(10))


def test_a_tiny_run_gives_curves_results_and_a_verdict_sentence():
    seen = []
    result = run_lesson("depthwise", TINY, on_partial=seen.append)
    points = [p for p in seen if isinstance(p, Point)]
    assert {p.series for p in points} == {"standard training", "standard validation",
                                          "depthwise-separable training",
                                          "depthwise-separable validation"}
    assert all(0 <= p.y <= 1 for p in points)
    assert [v.name for v in seen if isinstance(v, VariantResult)] == ["standard",
                                                                     "depthwise-separable"]
    assert result.outcome in verdict.OUTCOMES and result.verdict.endswith(".")
    document = result.to_json()
    keys = {"lesson", "claim", "citation", "verdict", "agrees", "seconds", "variants"}
    assert keys <= set(document)
    assert len(document["variants"][0]["train_error"]) == 1


def test_stop_ends_the_run_with_cancelled_and_keeps_nothing_half_done():
    split = data.load(16, seed=0, limit=120)
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3  # after a few batches

    with pytest.raises(Cancelled):
        train_one(Variant("plain-8", lambda: nets.cifar_net(1, False)), split,
                  TrainSettings(epochs=50), should_stop=should_stop)
    assert len(calls) < 20


def test_residual_verdict_agrees_disagrees_or_says_too_small():
    agree = verdict.residual({"plain-8": 0.01, "plain-32": 0.08, "resnet-8": 0.01,
                              "resnet-32": 0.005}, 8, 32)
    assert agree.agrees and "plain-32 ended with 8.0%" in agree.sentence
    assert "8.0x the error" in agree.sentence
    near_zero = verdict.residual({"plain-8": 0.001, "plain-32": 0.08, "resnet-8": 0.001,
                                  "resnet-32": 0.001}, 8, 32)
    assert "7.9 points more error" in near_zero.sentence  # no ratio of a near-zero error
    close = verdict.residual({"plain-8": 0.01, "plain-32": 0.012, "resnet-8": 0.01,
                              "resnet-32": 0.01}, 8, 32)
    assert close.outcome == verdict.TOO_CLOSE and "too small" in close.sentence
    assert verdict.residual({"plain-8": 0.2, "plain-32": 0.05, "resnet-8": 0.1,
                             "resnet-32": 0.05}, 8, 32).outcome == verdict.DISAGREES
    untrained = verdict.residual({"plain-8": 0.556, "plain-56": 0.832, "resnet-8": 0.5,
                                  "resnet-56": 0.679}, 8, 56, chance=0.1)
    assert untrained.outcome == verdict.TOO_CLOSE and "Too few epochs" in untrained.sentence


def test_cheaper_layers_verdict_needs_fewer_macs_and_a_net_that_learned():
    full = {"macs": 900, "params": 90, "latency_ms": 2.0, "val_accuracy": 0.95}
    cheap = {"macs": 100, "params": 10, "latency_ms": 1.0, "val_accuracy": 0.94}
    found = verdict.cheaper(cheap, full, "separable", "standard", "8-9x", chance=0.1)
    assert found.agrees and "9.0x fewer multiply-adds" in found.sentence
    untrained = dict(cheap, val_accuracy=0.1)
    assert verdict.cheaper(untrained, dict(full, val_accuracy=0.1), "s", "f", "c",
                           chance=0.1).outcome == verdict.TOO_CLOSE
    assert verdict.cheaper(untrained, full, "s", "f", "c", chance=0.1).outcome == verdict.TOO_CLOSE


def test_pretrained_verdict_compares_the_smallest_labelled_set():
    assert verdict.pretrained({10: 0.5, 100: 0.9}, {10: 0.8, 100: 0.92}).agrees
    assert verdict.pretrained({10: 0.9}, {10: 0.7}).outcome == verdict.DISAGREES


def test_a_saved_result_reopens_with_the_same_points(tmp_path):
    from core.learn.lessons import results as saved
    from core.learn.lessons.catalog import LessonResult

    variants = [VariantResult("LeNet-5 from scratch, 10/class", 5, False, 83126, 886440, 1.0,
                              [0.1], [0.2], 0.8,
                              extra={"series": "LeNet-5 from scratch", "images_per_class": 10}),
                VariantResult("pretrained features + head, 10/class", 1, False, 12810, 12800,
                              0.5, [0.0], [0.1], 0.9,
                              extra={"series": "pretrained features + head",
                                     "images_per_class": 10})]
    result = LessonResult("pretrained", "claim", "citation", "Agrees.", verdict.AGREES, True,
                          3.0, 0, True, "built-in digits", variants)
    saved.save(result, tmp_path / "r.json")
    again = saved.load(tmp_path / "r.json")
    assert again == result
    assert [(p.series, p.x, p.y, p.dashed) for p in saved.points(again)] == [
        ("LeNet-5 from scratch", 10, 0.8, True), ("pretrained features + head", 10, 0.9, False)]
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a saved lesson"):
        saved.load(tmp_path / "bad.json")


def two_seeds():
    from core.learn.lessons.catalog import LessonResult

    def run(seed, train, accuracy, outcome):
        return LessonResult("depthwise", "claim", "citation", f"{outcome} on {seed}.", outcome,
                            outcome == verdict.AGREES, 2.0, seed, True, "built-in digits",
                            [VariantResult("standard", 5, False, 10, 20, 1.0, [0.5, train],
                                           [0.5, 0.4], accuracy)])
    return run(0, 0.2, 0.8, verdict.AGREES), run(1, 0.1, 0.9, verdict.TOO_CLOSE)


def test_several_seeds_keep_every_seed_s_numbers_their_spread_and_a_joint_verdict(tmp_path):
    from core.learn.lessons import results as saved
    from core.learn.lessons.seeds import combine, number_text, seeds_text, spread, to_json

    first, second = two_seeds()
    both = combine([first, second])
    assert both.outcome == verdict.TOO_CLOSE and not both.agrees
    assert both.verdict.startswith("Too close to call: mixed across 2 seeds (agrees on seed 0; "
                                   "too close to call on seed 1)")
    assert both.variants == first.variants and both.seconds == 4.0
    assert spread(both)["standard"]["val_accuracy"] == pytest.approx(
        {"mean": 0.85, "min": 0.8, "max": 0.9})
    assert number_text(both, both.variants[0], "train_error") == "15.0% (10.0%-20.0%)"
    assert number_text(None, first.variants[0], "val_accuracy") == "80.0%"
    assert seeds_text(both) == "seeds 0, 1" and seeds_text(first) == "seed 0"
    assert to_json(both)["spread"]["standard"]["train_error"]["max"] == 0.2
    saved.save(both, tmp_path / "both.json")
    assert saved.load(tmp_path / "both.json") == both
    assert combine([first]) is first


def test_seeds_agree_only_when_every_seed_agrees():
    yes, no = verdict.Verdict(verdict.AGREES, "Yes."), verdict.Verdict(verdict.DISAGREES, "No.")
    assert verdict.across_seeds({0: yes, 1: yes, 2: yes}).sentence == \
        "Agrees on all 3 seeds. Seed 0: Yes."
    assert verdict.across_seeds({1: no, 2: no}).outcome == verdict.DISAGREES
    mixed = verdict.across_seeds({0: yes, 1: no, 2: yes})
    assert mixed.outcome == verdict.TOO_CLOSE and "agrees on seeds 0, 2" in mixed.sentence
