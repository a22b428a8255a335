"""The families table and explanation pages of the Learn tab.

One row per CNN family with the lesson's facts: year, the idea in one line,
a representative backbone (its depth, parameters and ImageNet top-1 come from
the registry and core.learn.architecture's counting), the speed measured on this
computer, and when to use it. Each family points to a page written for this
app (Markdown under resources/learn/).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.base import paths
from core.models import backbones
from core.runtime.speeds import measured_speeds


@dataclass(frozen=True)
class Family:
    name: str  # the registry's family name
    year: int
    idea: str
    representative: str  # a backbone name
    depth: int  # conv + dense layers on the longest path (core.learn.architecture)
    page: str  # file under resources/learn/


FAMILIES = (
    Family("LeNet", 1998, "Shared conv filters, pooling, then dense layers: the CNN recipe.",
           "LeNet5", 5, "lenet_alexnet.md"),
    Family("AlexNet", 2012, "The recipe at ImageNet scale: ReLU, dropout, GPUs.",
           "AlexNet", 8, "lenet_alexnet.md"),
    Family("VGG", 2014, "Depth from a stack of small 3×3 convs, five stages.",
           "VGG16", 16, "lenet_alexnet.md"),
    Family("Inception", 2015, "Parallel 1×1/3×3/5×5 branches, 1×1 bottlenecks to cut cost.",
           "InceptionV3", 48, "inception.md"),
    Family("ResNet", 2015, "Skip connections: each block learns a correction to its input.",
           "ResNet50", 50, "skip_connections.md"),
    Family("DenseNet", 2017, "Each layer reads all earlier layers' features (concatenation).",
           "DenseNet121", 121, "densenet.md"),
    Family("MobileNet", 2017, "Depthwise-separable convs; V2's inverted residual blocks.",
           "MobileNetV2", 53, "mobile_efficient.md"),
    Family("NASNet", 2018, "Cells found by architecture search, stacked.",
           "NASNetMobile", 58, "nasnet.md"),
    Family("EfficientNet", 2019, "MBConv blocks scaled in depth, width and resolution together.",
           "EfficientNetB0", 82, "mobile_efficient.md"),
    Family("EfficientNetV2", 2021, "Fused MBConv in early stages: faster to train.",
           "EfficientNetV2B0", 92, "mobile_efficient.md"),
    Family("ConvNeXt", 2022, "A ResNet modernised: 7×7 depthwise convs, LayerNorm, GELU.",
           "ConvNeXtTiny", 59, "skip_connections.md"),
)


def table() -> list[dict]:
    """The families table's rows, with this computer's measured speeds."""
    speeds = measured_speeds()
    rows = []
    for f in FAMILIES:
        spec = backbones.get(f.representative)
        rows.append({
            "family": f.name, "year": f.year, "idea": f.idea, "backbone": spec.name,
            "depth": f.depth, "params": spec.params, "top1": spec.top1,
            "images_per_second": speeds.get(spec.name), "use": spec.use_case, "page": f.page,
        })
    return rows


def page(name: str) -> str:
    """A family page's Markdown text (``name`` as in :attr:`Family.page`)."""
    return (paths.resources_dir() / "learn" / name).read_text(encoding="utf-8")
