"""The .xitt language: text -> AST (``parse``) -> checked ``Program`` (``check``).

Only ``ProgramError`` leaves this package: syntax errors, unknown names and bad values
alike, each with a location and a hint, which ``render_error`` prints for the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from xitt.errors import Location, ProgramError
from xitt.lang.checker import check
from xitt.lang.diagnostics import render_error
from xitt.lang.parser import parse
from xitt.lang.program import Program

__all__ = ["parse", "check", "load_program", "render_error"]


def load_program(path: str | Path, overrides: Sequence[str] = ()) -> Program:
    """Read, parse and check one .xitt file (and its imports), with ``--set`` overrides."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramError(
            f"no such file: {path}",
            hint="give the path of a .xitt file, like experiments/quickstart.xitt",
        ) from None
    except IsADirectoryError:
        raise ProgramError(f"{path} is a directory, not a .xitt file", hint="give the path of a .xitt file inside it") from None
    except UnicodeDecodeError as exc:
        raise ProgramError(
            f"{path} is not UTF-8 text",
            hint="save the file as UTF-8",
            location=Location(str(path), 1, 1),
        ) from exc
    except OSError as exc:
        raise ProgramError(f"cannot read {path}: {exc.strerror}") from None
    return check(parse(text, str(path)), overrides)
