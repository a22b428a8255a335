"""The Architecture tab driven like a user: open and close blocks, export, side by side,
feature maps of a real photo."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt

SVG = "{http://www.w3.org/2000/svg}"


def click_block(qtbot, view, block: str) -> None:
    """A real mouse click on the middle of ``block``'s node in the view."""
    node = next(n for n in view.current_layout.nodes if n.block == block)
    view.centerOn(node.x + node.w / 2, node.y + node.h / 2)
    point = view.mapFromScene(node.x + node.w / 2, node.y + node.h / 2)
    with qtbot.waitSignal(view.expanded_changed, timeout=5000):
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=point)


@pytest.fixture
def blocks_page(qtbot):
    from gui.learn.blocks_page import BlocksPage

    page = BlocksPage({})
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    yield page
    page.shutdown()


def test_architecture_tab_sits_beside_models_and_builds_on_first_show(bare_window, qtbot):
    tabs = [bare_window.tabs.tabText(i) for i in range(bare_window.tabs.count())]
    assert tabs[tabs.index("Models") + 1] == "Architecture"
    learn = bare_window.learn
    assert learn.blocks.view.arch is None  # nothing is built before the tab is shown
    learn.blocks.picker.set_ref("LeNet5")
    with qtbot.waitSignal(learn.blocks.loader.loaded, timeout=120000):
        bare_window.tabs.setCurrentWidget(learn)
    assert learn.blocks.view.arch.name == "LeNet5"
    assert "83,126 parameters" in learn.blocks.header.text()


def test_click_opens_a_block_into_its_layers_and_closes_it_then_exports_svg(
        blocks_page, qtbot, tmp_path):
    with qtbot.waitSignal(blocks_page.loader.loaded, timeout=120000):
        blocks_page.show_model("MobileNetV2")
    view = blocks_page.view
    assert "3,538,984 parameters" in blocks_page.header.text()
    closed = view.visible_node_ids()
    block = view.arch.block("block_2")
    click_block(qtbot, view, "block_2")
    opened = view.visible_node_ids()
    assert len(opened) == len(closed) - 1 + len(block.layers)
    assert {layer.name for layer in block.layers} <= set(opened)
    # the skip edge of the opened block is drawn round the side, into its Add
    assert any(e.round_side and e.target == "block_2_add" for e in view.current_layout.edges)

    svg = tmp_path / "mobilenet_v2.svg"
    view.export_svg(svg)
    nodes = [g for g in ET.parse(svg).getroot().iter(f"{SVG}g")
             if "node" in g.get("class", "").split()]
    assert [g.get("data-id") for g in nodes] == opened

    click_block(qtbot, view, "block_2")  # a click on one of its layers closes it
    assert view.visible_node_ids() == closed
    png = tmp_path / "mobilenet_v2.png"
    view.export_png(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_side_by_side_aligns_stages_and_compares_totals(qtbot):
    from gui.learn.side_by_side import SideBySidePage

    page = SideBySidePage({})
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignals([page.loaders[0].loaded, page.loaders[1].loaded], timeout=120000):
        page.show_models("MobileNetV2", "EfficientNetLite0")
    left, right = (v.current_layout for v in page.views)

    def first_at(view, side):
        arch = view.arch
        return min(n.y for n in view.current_layout.nodes
                   if arch.block(n.block).resolution == side)

    for side in (56, 28, 14, 7):
        assert first_at(page.views[0], side) == first_at(page.views[1], side)
    assert left is not right
    assert page.table.item(0, 0).text() == "Parameters"
    assert page.table.horizontalHeaderItem(2).text() == "EfficientNetLite0"
    assert "×" in page.table.item(0, 2).text()  # the ratio to the left model
    page.shutdown()


def test_feature_maps_step_through_blocks_of_a_real_photo(qtbot, photos, app_home):
    from gui.learn.feature_page import FeatureMapsPage

    page = FeatureMapsPage()
    qtbot.addWidget(page)
    page.show()
    page.load_model("EfficientNetLite0")
    qtbot.waitUntil(lambda: page.explorer is not None, timeout=120000)
    page.open_image(photos["coffee"])
    qtbot.waitUntil(lambda: bool(page.maps), timeout=120000)
    assert "espresso" in page.class_combo.itemText(0)
    first = page.block_combo.currentData()
    grid = page.grid_view.pixmap().toImage()
    qtbot.mouseClick(page.next_button, Qt.LeftButton)
    assert page.block_combo.currentData() != first
    assert page.grid_view.pixmap().toImage() != grid
    assert page.current_block().name in page.caption.text()
    qtbot.mouseClick(page.cam_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.caption.text().startswith("Grad-CAM for"), timeout=60000)
    page.shutdown()


def test_families_table_and_pages(qtbot):
    from gui.learn.families_page import FamiliesPage

    page = FamiliesPage()
    qtbot.addWidget(page)
    families = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert {"LeNet", "AlexNet", "VGG", "ResNet", "Inception", "MobileNet",
            "EfficientNet"} <= set(families)
    page.table.selectRow(families.index("ResNet"))
    assert "skip connection" in page.page.toPlainText()
    page.table.selectRow(families.index("Inception"))
    assert "1×1 bottleneck" in page.page.toPlainText()
    page.table.selectRow(families.index("MobileNet"))
    assert "depthwise-separable" in page.page.toPlainText().lower()
    assert "compound scaling" in page.page.toPlainText().lower()
    page.table.selectRow(families.index("LeNet"))
    assert "AlexNet" in page.page.toPlainText()


def test_feature_maps_take_the_image_tabs_picture(qtbot, photos):
    from core.images.decode import load_rgb
    from gui.learn.feature_page import FeatureMapsPage

    rgb = load_rgb(photos["rocket"])
    pictures = [None]
    page = FeatureMapsPage(current_image=lambda: pictures[0])
    qtbot.addWidget(page)
    qtbot.mouseClick(page.use_image_button, Qt.LeftButton)
    assert "no picture yet" in page.caption.text() and page.rgb is None
    pictures[0] = rgb
    qtbot.mouseClick(page.use_image_button, Qt.LeftButton)
    assert page.rgb is rgb and page.input_view.pixmap() is not None
    page.shutdown()


def test_feature_maps_say_when_an_image_cannot_be_read(qtbot, tmp_path):
    from gui.learn.feature_page import FeatureMapsPage

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    page = FeatureMapsPage()
    qtbot.addWidget(page)
    page.open_image(broken)  # decoded in a worker: the page answers when it is done
    qtbot.waitUntil(lambda: page.caption.text().startswith("broken.jpg"), timeout=10000)
    assert page.rgb is None
    page.shutdown()
