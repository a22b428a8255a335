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
