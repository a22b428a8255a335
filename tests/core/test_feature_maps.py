"""Feature maps and Grad-CAM at any block, on a real photo and real weights."""
from __future__ import annotations

import numpy as np
import pytest

from core.images.decode import load_rgb
from core.learn.feature_maps import BACKGROUND, FeatureMaps, channel_grid, load_model, to_rgb


@pytest.fixture(scope="module")
def lite0(app_home):
    return load_model("EfficientNetLite0")  # the bundled ImageNet weights


def test_every_block_has_its_layers_shape_and_varies_on_a_real_photo(lite0, photos):
    assert lite0.pretrained
    maps = FeatureMaps(lite0.model, lite0.arch)(load_rgb(photos["coffee"]))
    assert list(maps) == [b.name for b in lite0.arch.blocks]
    for block in lite0.arch.blocks:
        activation = maps[block.name]
        assert list(activation.shape) == block.output_shape, block.name
        assert float(activation.std()) > 1e-4, f"{block.name} is constant"
    scores = maps[lite0.arch.blocks[-1].name]
    assert "espresso" in lite0.class_names[int(np.argmax(scores))]


def test_channel_grid_tiles_channels_and_squares_vectors():
    rng = np.random.default_rng(0)
    grid = channel_grid(rng.normal(size=(14, 14, 40)), max_channels=16, gap=2)
    assert grid.shape == (4 * 16 - 2, 4 * 16 - 2)
    assert np.nanmin(grid) == 0.0 and np.nanmax(grid) == 1.0
    assert np.isnan(grid[14:16]).all()  # the gap between the first two rows of tiles
    assert channel_grid(np.arange(10.0)).shape == (4, 4)
    assert not np.nan_to_num(channel_grid(np.zeros((7, 7, 3)))).any()  # flat channels: 0
    rgb = to_rgb(grid)
    assert rgb.shape == grid.shape + (3,) and rgb.dtype == np.uint8
    assert tuple(rgb[15, 0]) == BACKGROUND


def test_gradcam_for_a_chosen_class_at_a_chosen_block(lite0, photos):
    from core.classify.gradcam import GradCam, GradCamError

    rgb = load_rgb(photos["chelsea"])
    block = next(b for b in lite0.arch.blocks if b.resolution == 14)
    cam = GradCam(lite0.model, block.layers[-1].name)
    assert tuple(cam.feature_layer.output.shape[1:3]) == (14, 14)
    tabby = lite0.class_names.index("tabby")
    espresso = lite0.class_names.index("espresso")
    cat_map, cup_map = cam(rgb, tabby), cam(rgb, espresso)
    assert cat_map.shape == rgb.shape[:2] and cat_map.max() > 0
    assert not np.allclose(cat_map, cup_map)
    with pytest.raises(GradCamError):
        GradCam(lite0.model, "no_such_layer")


def test_a_model_file_is_explained_on_the_crop_it_is_classified_on(tmp_path):
    """A float-input .keras from elsewhere is classified on its largest centre square
    (its input rule): its feature maps and Grad-CAM crop the same way."""
    import keras

    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x)).save(
        tmp_path / "plain.keras")
    (tmp_path / "labels.txt").write_text("0 a\n1 b\n")
    explorer = load_model(str(tmp_path / "plain.keras"))
    assert explorer.crop == 1.0 and explorer.class_names == ("a", "b")
    maps = FeatureMaps(explorer.model, explorer.arch, explorer.crop)
    wide = np.zeros((16, 48, 3), np.uint8)
    wide[:, 16:32] = 255  # white only in the centre square
    first = maps(wide)[explorer.arch.preprocessing.name]  # [-1, 1]: white is 1, black -1
    assert maps.crop == 1.0 and float(np.ptp(first)) == 0.0  # it saw the white square only
