"""The ``--engine ray`` options the classify and train commands share."""
from __future__ import annotations


def add_engine_options(parser, ray_does: str, copies: str) -> None:
    """``--engine local|ray``, ``--ray-address`` and ``--ray-workers``.

    ``ray_does`` says what runs on Ray; ``copies`` what one Ray worker holds.
    """
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help=f"'ray' {ray_does} (pip install -r requirements-scale.txt)")
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="join this Ray cluster (default: start a local Ray instance)")
    parser.add_argument("--ray-workers", type=int, metavar="N",
                        help=f"{copies} on Ray (default: one per CPU of the cluster)")
