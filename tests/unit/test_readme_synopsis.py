"""README's command-line synopsis lists every subcommand and every flag the parser takes,
with each flag's choices (read from cli's argparse parsers, so a new flag must be documented)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def synopsis() -> dict[str, str]:
    """Command -> its synopsis text (the ``python main.py COMMAND`` line and its follow-ons)."""
    block = README.read_text().split("## Command line", 1)[1].split("```")[1]
    entries = re.split(r"\n(?=python main\.py )", block.strip())
    return {entry.split()[2]: entry for entry in entries}


def subcommands(parser: argparse.ArgumentParser, prefix: str = ""):
    """(command, parser) for every subcommand, nested ones (``weights status``) included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + name, sub
                yield from subcommands(sub, f"{prefix}{name} ")


def flags(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and "--help" not in a.option_strings]


COMMANDS = list(subcommands(build_parser()))


def test_every_subcommand_has_a_synopsis():
    documented = synopsis()
    assert {name.split()[0] for name, _ in COMMANDS} == set(documented) - {"--self-test"}


@pytest.mark.parametrize("name, parser", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_flag_and_its_choices_are_in_the_synopsis(name, parser):
    text = synopsis()[name.split()[0]]
    for action in flags(parser):
        flag = action.option_strings[-1]
        assert re.search(rf"\[{flag}\b", text) or f" {flag} " in text, f"{name}: {flag}"
        if action.choices:
            assert f"{flag} {'|'.join(action.choices)}" in text, f"{name}: {flag}'s choices"
