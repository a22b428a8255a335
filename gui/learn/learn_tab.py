"""The Learn tab: Blocks, Side by side, Feature maps, Families and Lessons pages.

Models are built only when a page first needs one (TensorFlow loads lazily),
always in a worker; architectures are kept, so switching back is instant.
"""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget


class LearnTab(QTabWidget):
    def __init__(self, current_image=None, current_model=None, parent=None):
        """``current_image()``: the Image tab's RGB picture or None;
        ``current_model()``: the ref Classify uses (a bundle is offered in the lists)."""
        super().__init__(parent)
        from .blocks_page import BlocksPage
        from .families_page import FamiliesPage
        from .feature_page import FeatureMapsPage
        from .lessons_page import LessonsPage
        from .side_by_side import SideBySidePage

        self.current_model = current_model
        self.architectures: dict = {}  # ref -> Architecture, shared by the pages
        self.blocks = BlocksPage(self.architectures)
        self.side_by_side = SideBySidePage(self.architectures)
        self.features = FeatureMapsPage(current_image)
        self.families = FamiliesPage()
        self.lessons = LessonsPage()
        self.addTab(self.blocks, "Blocks")
        self.addTab(self.side_by_side, "Side by side")
        self.addTab(self.features, "Feature maps")
        self.addTab(self.families, "Families")
        self.addTab(self.lessons, "Lessons")
        self._started: set[int] = set()
        self.currentChanged.connect(self._page_shown)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._offer_current_bundle()
        self._page_shown(self.currentIndex())

    def _offer_current_bundle(self) -> None:
        ref = self.current_model() if self.current_model else None
        if ref:
            for picker in (self.blocks.picker, *self.side_by_side.pickers, self.features.picker):
                picker.offer_bundle(ref)

    def _page_shown(self, index: int) -> None:
        """Build the first model of a page the first time it is shown."""
        if index in self._started:
            if self.widget(index) is self.families:
                self.families.refresh()
            return
        self._started.add(index)
        page = self.widget(index)
        if page is self.blocks:
            self.blocks.show_model(self.blocks.picker.ref())
        elif page is self.side_by_side:
            self.side_by_side.show_models(*(p.ref() for p in self.side_by_side.pickers))
        elif page is self.features:
            self.features.load_model(self.features.picker.ref())

    def shutdown(self) -> None:
        for page in (self.blocks, self.side_by_side, self.features, self.lessons):
            page.shutdown()
