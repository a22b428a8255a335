"""The four lessons: each paper's claim, its smallest test here, and the verdict.

:func:`run_lesson` is a core job (``progress``, ``should_stop``, and
``on_partial`` receiving chart :class:`Point`-s and finished
:class:`VariantResult`-s) returning a :class:`LessonResult`.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from core.base.jobs import Progress, ShouldStop, never_stop, no_progress
from core.learn.lessons import data, nets, verdict
from core.learn.lessons.runner import (
    Partial,
    TrainSettings,
    Variant,
    VariantResult,
    no_partial,
    train_variants,
)


@dataclass
class LessonSettings:
    quick: bool = True   # the few-minute version; False: closer to the paper
    epochs: int | None = None  # None: the lesson's own for quick or full
    seed: int = 0
    data: str | None = None  # a folder with one sub-folder per class; None: the lesson's own
    limit: int | None = None  # at most this many images in all (tests)


@dataclass
class Lesson:
    key: str
    title: str
    claim: str
    citation: str
    measures: str
    quick_minutes: float  # measured on 2 CPU cores at default settings
    full_minutes: float  # estimated from the quick version's time per epoch
    y_label: str  # the chart's vertical axis
    x_label: str
    run: Callable  # (lesson, settings, progress, should_stop, on_partial)
    #                -> (variant results, Verdict, data description)
    built_in: str = "digits"  # the built-in data set (core.learn.lessons.data.BUILT_IN)

    def load(self, settings: LessonSettings, size: int):
        """The lesson's data at ``size`` px: the settings' folder, else its built-in set."""
        return data.load(size, settings.seed, settings.data, limit=settings.limit,
                         built_in=self.built_in)

    def epochs(self, settings: LessonSettings, quick: int, full: int) -> int:
        return settings.epochs or (quick if settings.quick else full)


@dataclass
class LessonResult:
    lesson: str
    claim: str
    citation: str
    verdict: str
    outcome: str
    agrees: bool
    seconds: float
    seed: int
    quick: bool
    data: str
    variants: list[VariantResult] = field(default_factory=list)  # the first seed's
    seeds: list[dict] = field(default_factory=list)  # every seed's numbers (lessons.seeds)

    def to_json(self) -> dict:
        out = asdict(self)
        out["variants"] = [v.to_json() for v in self.variants]
        return out


def run_lesson(key: str, settings: LessonSettings | None = None,
               progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
               on_partial: Partial = no_partial) -> LessonResult:
    """Run lesson ``key``; raises KeyError for an unknown one, Cancelled when stopped."""
    lesson = get(key)
    settings = settings or LessonSettings()
    started = time.monotonic()
    variants, found, source = lesson.run(lesson, settings, progress, should_stop, on_partial)
    return LessonResult(lesson.key, lesson.claim, lesson.citation, found.sentence,
                        found.outcome, found.agrees, round(time.monotonic() - started, 1),
                        settings.seed, settings.quick, source, variants)


def _final_train(results: list[VariantResult]) -> dict[str, float]:
    return {r.name: r.train_error[-1] for r in results}


# --- 1. skip connections ------------------------------------------------------

def _residual(lesson, settings, progress, should_stop, on_partial):
    blocks = (1, 5) if settings.quick else (1, 9)  # 8 and 32 (or 56) weight layers
    split = lesson.load(settings, 16)
    variants = [Variant(f"{kind}-{6 * n + 2}", lambda n=n, s=s: nets.cifar_net(n, s, split.classes),
                        s) for kind, s in (("plain", False), ("resnet", True)) for n in blocks]
    train = TrainSettings(lesson.epochs(settings, 8, 40), settings.seed)
    results = train_variants(variants, split, train, progress, should_stop, on_partial)
    shallow, deep = (6 * n + 2 for n in blocks)
    found = verdict.residual(_final_train(results), shallow, deep, 1 / split.classes)
    return results, found, split.describe()


# --- 2 and 3. cheaper layers --------------------------------------------------

def _cheaper(lesson, settings, progress, should_stop, on_partial, build, names, claim):
    split = lesson.load(settings, 16)
    variants = [Variant(names[i], lambda flag=flag: build(flag, split.classes, settings.quick))
                for i, flag in enumerate((False, True))]
    train = TrainSettings(lesson.epochs(settings, 8, 30), settings.seed)
    results = train_variants(variants, split, train, progress, should_stop, on_partial,
                             describe_extra=_body)
    full, cheap = ({"macs": r.extra["body_macs"], "params": r.extra["body_params"],
                    "latency_ms": r.latency_ms, "val_accuracy": r.val_accuracy}
                   for r in results)
    found = verdict.cheaper(cheap, full, names[1], names[0], claim, 1 / split.classes)
    return results, found, split.describe()


def _body(arch) -> dict:
    params, macs = nets.body_conv_counts(arch)
    return {"body_params": params, "body_macs": macs}


def _bottleneck(lesson, settings, progress, should_stop, on_partial):
    def build(flag, classes, quick):
        return nets.bottleneck_net(flag, 3 if quick else 6, 64 if quick else 128, classes)
    return _cheaper(lesson, settings, progress, should_stop, on_partial, build,
                    ("full 3x3", "1x1 bottleneck"), "1x1 reductions cut the cost")


def _separable(lesson, settings, progress, should_stop, on_partial):
    def build(flag, classes, quick):
        return nets.separable_net(flag, classes)
    return _cheaper(lesson, settings, progress, should_stop, on_partial, build,
                    ("standard", "depthwise-separable"), "8-9x less computation for 3x3")


# --- 4. pretrained features ---------------------------------------------------

def _pretrained(lesson, settings, progress, should_stop, on_partial):
    from core.learn.lessons import transfer

    sizes = (10, 30, 100) if settings.quick else (5, 10, 30, 100)
    epochs = lesson.epochs(settings, 40, 100)
    splits = (lesson.load(settings, transfer.SCRATCH_SIZE),
              lesson.load(settings, transfer.feature_size()))
    scratch, frozen, results, source = transfer.compare(splits, sizes, epochs, settings.seed,
                                                        progress, should_stop, on_partial)
    return results, verdict.pretrained(scratch, frozen), source


LESSONS = (
    Lesson("residual", "Why skip connections",
           "A deeper plain network trains worse than a shallower one: its training error is "
           "higher, so this is not overfitting but degradation. Identity shortcuts remove it: "
           "the deeper residual net trains at least as well as the shallower one.",
           'He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, '
           "Fig. 1 and Fig. 6 (CIFAR-10, section 4.2)",
           "training and validation error per epoch of plain and residual nets at two depths",
           1.5, 15, "error", "epoch", _residual),
    Lesson("bottleneck", "Why 1x1 bottlenecks",
           "A 1x1 convolution that squeezes the channels before an expensive 3x3 (and expands "
           "them after) cuts parameters and multiply-adds several times over while keeping "
           "accuracy, which is what made deep Inception and ResNet-50 nets affordable.",
           'Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, section 4; '
           "He et al., CVPR 2016, Fig. 5 (the bottleneck block)",
           "parameters and MACs of the blocks, latency measured here, accuracy after equal "
           "training", 0.7, 6, "error", "epoch", _bottleneck),
    Lesson("depthwise", "Why depthwise-separable convolutions",
           "A 3x3 convolution split into a per-channel 3x3 (depthwise) and a 1x1 that mixes "
           "channels (pointwise) needs 8 to 9 times fewer multiply-adds and parameters, for "
           "only a small loss of accuracy.",
           'Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile '
           'Vision Applications", 2017, section 3.1 and Table 4',
           "parameters and MACs of the 3x3 layers, latency measured here, accuracy after "
           "equal training", 1, 5, "error", "epoch", _separable),
    Lesson("pretrained", "Why pretrained features",
           "With few labelled images, a frozen backbone pretrained on ImageNet plus a small new "
           "head beats a network trained from scratch; the gap narrows as labels grow.",
           'Yosinski et al., "How transferable are features in deep neural networks?", '
           "NeurIPS 2014; Donahue et al., DeCAF, ICML 2014",
           "validation accuracy against labelled images per class: LeNet-5 from scratch "
           "against frozen EfficientNet-Lite0 features (224 px) + a softmax head, on "
           "Fashion-MNIST photos of clothes",
           1.5, 4, "accuracy", "images per class", _pretrained, built_in="fashion"),
)


def get(key: str) -> Lesson:
    for lesson in LESSONS:
        if lesson.key == key:
            return lesson
    raise KeyError(f"no lesson {key!r}: choose one of {', '.join(lesson_keys())}")


def lesson_keys() -> list[str]:
    return [lesson.key for lesson in LESSONS]

