"""The Learn tab's family pages: each cites the paper its claims were checked against."""
from __future__ import annotations

import re

import pytest

from core.learn.families import FAMILIES, page

PAGES = sorted({f.page for f in FAMILIES})
CITATION = re.compile(r'^- Paper: .+, ".+", .*\b(19|20)\d\d\b', re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("name", PAGES)
def test_every_family_page_has_a_paper_citation_line(name):
    """A "Paper:" line with authors, the title in quotes, the venue and the year."""
    assert CITATION.search(page(name)), f"{name} cites no paper"


def test_each_family_is_cited_on_its_page():
    """The page a family points to cites that family's paper (by its year, or the
    next year's venue after an arXiv preprint)."""
    for family in FAMILIES:
        citations = "".join(page(family.page).split("- Paper:")[1:])
        assert str(family.year) in citations or str(family.year + 1) in citations, family.name


def test_the_resnet_page_says_what_the_paper_says_about_vanishing_gradients():
    text = page("skip_connections.md")
    assert "not vanishing gradients" in text and "BatchNorm" in text
