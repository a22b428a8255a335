"""The backbone registry: name -> what the app knows about each CNN.

Plain data, no Keras import: the models table and ``main.py models`` read it
before TensorFlow loads. Parameters, input sizes, embedding widths, weights
files and hashes were read off the installed keras.applications (a test
checks them against it); ImageNet top-1 is from the Keras documentation and
the papers; GMACs (multiply-adds per image at the input size) from the papers.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.models import weights
from core.models.weights import WeightsFile as W

USE_CASES = {
    "LeNet": "Learning: the 1998 digit reader, tiny and quick to train from scratch on small images.",
    "AlexNet": "Benchmarks and small-to-medium tasks trained from scratch; the 2012 breakthrough, for learning.",
    "VGG": "Benchmarks and small-to-medium tasks: simple and well studied, but large and slow on a CPU.",
    "ResNet": "The default for most tasks: accurate, robust to fine-tune, widely used.",
    "Inception": "Accuracy on medium-to-large tasks at 299 px; heavier than ResNet50.",
    "DenseNet": "Small datasets: compact for its accuracy, strong features to fine-tune.",
    "MobileNet": "Edge devices and live camera: small and fast, modest accuracy.",
    "EfficientNet": "Speed-sensitive apps: the best accuracy for the computation spent.",
    "EfficientNetV2": "Speed-sensitive apps with more data: fast to train, very accurate.",
    "NASNet": "Architecture-search results: Mobile for phones, Large for top accuracy at a high cost.",
    "ConvNeXt": "Highest accuracy here when a GPU is available: a modernised ResNet, heavy.",
}
DEFAULT_BACKBONE = "EfficientNetLite0"


@dataclass(frozen=True)
class Backbone:
    """One selectable CNN. ``preprocessing`` is a core.models.preprocessing mode."""

    name: str
    family: str
    factory: str  # "module:callable" with keras.applications' signature
    input_size: int  # the size its ImageNet weights were trained at
    preprocessing: str
    features: int  # embedding width with include_top=False, pooling="avg"
    params: int  # with the ImageNet (or default) head
    top1: float | None  # ImageNet top-1 %, None when never trained on ImageNet
    gmacs: float
    weights_kind: str  # "keras" (download), "bundled" or "none"
    top_weights: W | None = None
    notop_weights: W | None = None
    classes: int = 1000

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def size_mb(self) -> float:
        """float32 weights size in MB (what a saved model roughly weighs)."""
        return self.params * 4 / 2**20

    @property
    def use_case(self) -> str:
        return USE_CASES[self.family]

    def weights_for(self, include_top: bool) -> W | None:
        return self.top_weights if include_top else self.notop_weights


def _keras(name, family, size, mode, features, params, top1, gmacs, top, notop):
    return Backbone(name, family, f"keras.applications:{name}", size, mode, features,
                    params, top1, gmacs, "keras", top, notop)


_ALL = [
    Backbone("LeNet5", "LeNet", "core.models.scratch:LeNet5", 32, "unit", 84, 83126, None, 0.0007,
             "none", classes=10),
    Backbone("AlexNet", "AlexNet", "core.models.scratch:AlexNet", 227, "unit", 4096, 62379752, None,
             0.72, "none"),
    Backbone("EfficientNetLite0", "EfficientNet", "core.models.efficientnet_lite:EfficientNetLite0",
             224, "lite", 1280, 4694024, 75.1, 0.41, "bundled"),
    Backbone("EfficientNetLite1", "EfficientNet", "core.models.efficientnet_lite:EfficientNetLite1",
             240, "lite", 1280, 5470344, 76.7, 0.60, "bundled"),
    Backbone("EfficientNetLite2", "EfficientNet", "core.models.efficientnet_lite:EfficientNetLite2",
             260, "lite", 1280, 6150168, 77.6, 0.86, "bundled"),
    _keras("VGG16", "VGG", 224, "caffe", 512, 138357544, 71.3, 15.5,
           W("vgg16_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b"),
           W("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc")),
    _keras("VGG19", "VGG", 224, "caffe", 512, 143667240, 71.3, 19.6,
           W("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
           W("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6")),
    _keras("ResNet50", "ResNet", 224, "caffe", 2048, 25636712, 74.9, 3.9,
           W("resnet50_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107"),
           W("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626")),
    _keras("ResNet50V2", "ResNet", 224, "tf", 2048, 25613800, 76.0, 4.1,
           W("resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", "3ef43a0b657b3be2300d5770ece849e0"),
           W("resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "fac2f116257151a9d068a22e544a4917")),
    _keras("ResNet101", "ResNet", 224, "caffe", 2048, 44707176, 76.4, 7.6,
           W("resnet101_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101_weights_tf_dim_ordering_tf_kernels.h5", "f1aeb4b969a6efcfb50fad2f0c20cfc5"),
           W("resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5", "88cf7a10940856eca736dc7b7e228a21")),
    _keras("ResNet101V2", "ResNet", 224, "tf", 2048, 44675560, 77.2, 7.8,
           W("resnet101v2_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101v2_weights_tf_dim_ordering_tf_kernels.h5", "6343647c601c52e1368623803854d971"),
           W("resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "c0ed64b8031c3730f411d2eb4eea35b5")),
    _keras("ResNet152", "ResNet", 224, "caffe", 2048, 60419944, 76.6, 11.3,
           W("resnet152_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet152_weights_tf_dim_ordering_tf_kernels.h5", "100835be76be38e30d865e96f2aaae62"),
           W("resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5", "ee4c566cf9a93f14d82f913c2dc6dd0c")),
    _keras("ResNet152V2", "ResNet", 224, "tf", 2048, 60380648, 78.0, 11.5,
           W("resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", "a49b44d1979771252814e80f8ec446f9"),
           W("resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "ed17cf2e0169df9d443503ef94b23b33")),
    _keras("InceptionV3", "Inception", 299, "tf", 2048, 23851784, 77.9, 5.7,
           W("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564"),
           W("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63")),
    _keras("Xception", "Inception", 299, "tf", 2048, 22910480, 79.0, 8.4,
           W("xception_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6"),
           W("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97")),
    _keras("InceptionResNetV2", "Inception", 299, "tf", 1536, 55873736, 80.3, 13.2,
           W("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "e693bd0210a403b3192acc6073ad2e96"),
           W("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4")),
    _keras("DenseNet121", "DenseNet", 224, "torch", 1024, 8062504, 75.0, 2.9,
           W("densenet121_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5", "9d60b8095a5708f2dcce2bca79d332c7"),
           W("densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5", "30ee3e1110167f948a6b9946edeeb738")),
    _keras("DenseNet169", "DenseNet", 224, "torch", 1664, 14307880, 76.2, 3.4,
           W("densenet169_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet169_weights_tf_dim_ordering_tf_kernels.h5", "d699b8f76981ab1b30698df4c175e90b"),
           W("densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5", "b8c4d4c20dd625c148057b9ff1c1176b")),
    _keras("DenseNet201", "DenseNet", 224, "torch", 1920, 20242984, 77.3, 4.3,
           W("densenet201_weights_tf_dim_ordering_tf_kernels.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet201_weights_tf_dim_ordering_tf_kernels.h5", "1ceb130c1ea1b78c3bf6114dbdfd8807"),
           W("densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5", "c13680b51ded0fb44dff2d8f86ac8bb1")),
    _keras("MobileNetV3Small", "MobileNet", 224, "builtin", 576, 2554968, 68.1, 0.06,
           W("weights_mobilenet_v3_small_224_1.0_float.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float.h5", "8768d4c2e7dee89b9d02b2d03d65d862"),
           W("weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5", "d3e8ec802a04aa4fc771ee12a9a9b836")),
    _keras("MobileNetV3Large", "MobileNet", 224, "builtin", 960, 5507432, 75.6, 0.22,
           W("weights_mobilenet_v3_large_224_1.0_float.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_large_224_1.0_float.h5", "59e551e166be033d707958cf9e29a6a7"),
           W("weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5", "07fb09a5933dd0c8eaafa16978110389")),
    _keras("MobileNetV2", "MobileNet", 224, "tf", 1280, 3538984, 71.3, 0.3,
           W("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", None),
           W("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", None)),
    _keras("MobileNet", "MobileNet", 224, "tf", 1024, 4253864, 70.4, 0.57,
           W("mobilenet_1_0_224_tf.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_224_tf.h5", None),
           W("mobilenet_1_0_224_tf_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_224_tf_no_top.h5", None)),
    _keras("EfficientNetB0", "EfficientNet", 224, "builtin", 1280, 5330571, 77.1, 0.39,
           W("efficientnetb0.h5", "https://storage.googleapis.com/keras-applications/efficientnetb0.h5", "902e53a9f72be733fc0bcb005b3ebbac"),
           W("efficientnetb0_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5", "50bc09e76180e00e4465e1a485ddc09d")),
    _keras("EfficientNetB1", "EfficientNet", 240, "builtin", 1280, 7856239, 79.1, 0.7,
           W("efficientnetb1.h5", "https://storage.googleapis.com/keras-applications/efficientnetb1.h5", "1d254153d4ab51201f1646940f018540"),
           W("efficientnetb1_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb1_notop.h5", "74c4e6b3e1f6a1eea24c589628592432")),
    _keras("EfficientNetB2", "EfficientNet", 260, "builtin", 1408, 9177569, 80.1, 1.0,
           W("efficientnetb2.h5", "https://storage.googleapis.com/keras-applications/efficientnetb2.h5", "b15cce36ff4dcbd00b6dd88e7857a6ad"),
           W("efficientnetb2_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb2_notop.h5", "111f8e2ac8aa800a7a99e3239f7bfb39")),
    _keras("EfficientNetB3", "EfficientNet", 300, "builtin", 1536, 12320535, 81.6, 1.8,
           W("efficientnetb3.h5", "https://storage.googleapis.com/keras-applications/efficientnetb3.h5", "ffd1fdc53d0ce67064dc6a9c7960ede0"),
           W("efficientnetb3_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb3_notop.h5", "af6d107764bb5b1abb91932881670226")),
    _keras("EfficientNetB4", "EfficientNet", 380, "builtin", 1792, 19466823, 82.9, 4.2,
           W("efficientnetb4.h5", "https://storage.googleapis.com/keras-applications/efficientnetb4.h5", "18c95ad55216b8f92d7e70b3a046e2fc"),
           W("efficientnetb4_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb4_notop.h5", "ebc24e6d6c33eaebbd558eafbeedf1ba")),
    _keras("EfficientNetB5", "EfficientNet", 456, "builtin", 2048, 30562527, 83.6, 9.9,
           W("efficientnetb5.h5", "https://storage.googleapis.com/keras-applications/efficientnetb5.h5", "ace28f2a6363774853a83a0b21b9421a"),
           W("efficientnetb5_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb5_notop.h5", "38879255a25d3c92d5e44e04ae6cec6f")),
    _keras("EfficientNetB6", "EfficientNet", 528, "builtin", 2304, 43265143, 84.0, 19.0,
           W("efficientnetb6.h5", "https://storage.googleapis.com/keras-applications/efficientnetb6.h5", "165f6e37dce68623721b423839de8be5"),
           W("efficientnetb6_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb6_notop.h5", "9ecce42647a20130c1f39a5d4cb75743")),
    _keras("EfficientNetB7", "EfficientNet", 600, "builtin", 2560, 66658687, 84.3, 37.0,
           W("efficientnetb7.h5", "https://storage.googleapis.com/keras-applications/efficientnetb7.h5", "8c03f828fec3ef71311cd463b6759d99"),
           W("efficientnetb7_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb7_notop.h5", "cbcfe4450ddf6f3ad90b1b398090fe4a")),
    _keras("EfficientNetV2B0", "EfficientNetV2", 224, "builtin", 1280, 7200312, 78.7, 0.72,
           W("efficientnetv2-b0.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0.h5", "21ecbf6da12460d5c40bb2f29ceb2188"),
           W("efficientnetv2-b0_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0_notop.h5", "893217f2bb855e2983157299931e43ff")),
    _keras("EfficientNetV2B1", "EfficientNetV2", 240, "builtin", 1280, 8212124, 79.8, 1.2,
           W("efficientnetv2-b1.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b1.h5", "069f0534ff22adf035c89e2d9547a9dc"),
           W("efficientnetv2-b1_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b1_notop.h5", "0e80663031ca32d657f9caa404b6ec37")),
    _keras("EfficientNetV2B2", "EfficientNetV2", 260, "builtin", 1408, 10178374, 80.5, 1.7,
           W("efficientnetv2-b2.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b2.h5", "424e49f28180edbde1e94797771950a7"),
           W("efficientnetv2-b2_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b2_notop.h5", "1dfe2e7a5d45b6632553a8961ea609eb")),
    _keras("EfficientNetV2B3", "EfficientNetV2", 300, "builtin", 1536, 14467622, 82.0, 3.0,
           W("efficientnetv2-b3.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b3.h5", "1f1fc43bd98a6e4fd8fdfd551e02c7a0"),
           W("efficientnetv2-b3_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b3_notop.h5", "f6abf7b5849ac99a89b50dd3fd532856")),
    _keras("EfficientNetV2S", "EfficientNetV2", 384, "builtin", 1280, 21612360, 83.9, 8.8,
           W("efficientnetv2-s.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s.h5", "e1d88a8495beba45748fedd0cecbe016"),
           W("efficientnetv2-s_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s_notop.h5", "af0682fb74e8c54910f2d4393339c070")),
    _keras("EfficientNetV2M", "EfficientNetV2", 480, "builtin", 1280, 54431388, 85.3, 24.0,
           W("efficientnetv2-m.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-m.h5", "a3bf6aa3276309f4fc6a34aa114c95cd"),
           W("efficientnetv2-m_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-m_notop.h5", "1b8dc055df72dde80d614482840fe342")),
    _keras("EfficientNetV2L", "EfficientNetV2", 480, "builtin", 1280, 119027848, 85.7, 53.0,
           W("efficientnetv2-l.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-l.h5", "27e6d408b53c7ebc868fefa357689935"),
           W("efficientnetv2-l_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-l_notop.h5", "b0b66b5c863aef5b46e8608fe1711615")),
    _keras("NASNetMobile", "NASNet", 224, "tf", 1056, 5326716, 74.4, 0.56,
           W("nasnet_mobile.h5", "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
           W("nasnet_mobile_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63")),
    _keras("NASNetLarge", "NASNet", 331, "tf", 4032, 88949818, 82.5, 23.8,
           W("nasnet_large.h5", "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
           W("nasnet_large_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-large-no-top.h5", "d81d89dc07e6e56530c4e77faddd61b5")),
    _keras("ConvNeXtTiny", "ConvNeXt", 224, "builtin", 768, 28589128, 81.3, 4.5,
           W("convnext_tiny.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_tiny.h5", "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff"),
           W("convnext_tiny_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_tiny_notop.h5", "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1")),
    _keras("ConvNeXtSmall", "ConvNeXt", 224, "builtin", 768, 50223688, 82.3, 8.7,
           W("convnext_small.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_small.h5", "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c"),
           W("convnext_small_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_small_notop.h5", "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab")),
    _keras("ConvNeXtBase", "ConvNeXt", 224, "builtin", 1024, 88591464, 85.3, 15.4,
           W("convnext_base.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_base.h5", "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6"),
           W("convnext_base_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_base_notop.h5", "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45")),
    _keras("ConvNeXtLarge", "ConvNeXt", 224, "builtin", 1536, 197767336, 86.3, 34.4,
           W("convnext_large.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_large.h5", "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6"),
           W("convnext_large_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_large_notop.h5", "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd")),
    _keras("ConvNeXtXLarge", "ConvNeXt", 224, "builtin", 2048, 350196968, 86.7, 60.9,
           W("convnext_xlarge.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_xlarge.h5", "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee"),
           W("convnext_xlarge_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_xlarge_notop.h5", "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05")),]
_BY_NAME = {b.name.lower(): b for b in _ALL}


class UnknownBackbone(KeyError):
    def __str__(self):
        return f"unknown backbone {self.args[0]!r}; `python main.py models` lists them"


def all_backbones() -> list[Backbone]:
    return list(_ALL)


def get(name: str) -> Backbone:
    """The backbone called ``name`` (case-insensitive, '-' and '_' ignored)."""
    key = name.lower().replace("-", "").replace("_", "")
    try:
        return _BY_NAME[key]
    except KeyError:
        raise UnknownBackbone(name) from None


# Which backbones suit how many images, smallest data first. A frozen small
# backbone generalises best from few images and trains in seconds; with
# thousands of images a bigger backbone's better features pay off.
ADVICE = (
    (300, ("EfficientNetLite0", "MobileNetV2"),
     "few images: a small backbone generalises best and trains in seconds"),
    (3000, ("EfficientNetB0", "DenseNet121", "EfficientNetLite0"),
     "a medium-sized set: a mid-sized backbone's better features pay off"),
    (None, ("EfficientNetV2B0", "ResNet50", "EfficientNetB0", "EfficientNetLite0"),
     "plenty of images: a bigger backbone can use them"),
)


def recommend(image_count: int) -> tuple[str, str]:
    """(backbone name, why) for a project of ``image_count`` images.

    Prefers a backbone whose weights are on this computer; falls back to the
    first suggestion (the user can download its weights in the Models tab).
    """
    for limit, names, why in ADVICE:
        if limit is None or image_count < limit:
            usable = [n for n in names if weights.status(get(n)) in ("bundled", "cached")]
            return (usable or list(names))[0], why
    raise AssertionError("ADVICE ends with an open-ended row")
