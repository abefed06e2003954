"""The .xitt language: text -> AST (``parse``) -> checked ``Program`` (``check``);
``fmt`` lays a file out canonically.

Only ``ProgramError`` leaves this package: syntax errors, unknown names and bad values
alike, each with a location and a hint, which ``render_error`` prints for the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from xitt.lang.checker import check
from xitt.lang.diagnostics import render_error
from xitt.lang.format import fmt
from xitt.lang.parser import parse
from xitt.lang.program import Program
from xitt.lang.source import read_source

__all__ = ["parse", "check", "fmt", "load_program", "render_error"]


def load_program(path: str | Path, overrides: Sequence[str] = ()) -> Program:
    """Read, parse and check one .xitt file (and its imports), with ``--set`` overrides."""
    text = read_source(path)
    return check(parse(text, str(path)), overrides)
