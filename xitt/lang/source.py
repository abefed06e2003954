"""Reading a .xitt file as text, every failure worded for the person who named the file.

A file is UTF-8, with or without a byte order mark (editors on Windows write one). Line
breaks are ``\\n``, ``\\r\\n`` or ``\\r`` (read as ``\\n``, as the parser counts them); an error's
source snippet is found by the same count (``source_lines``), never by
``str.splitlines()``, which also breaks at U+2028, U+2029, U+0085 and U+001C-U+001E.
"""

from __future__ import annotations

from pathlib import Path

from xitt.errors import Location, ProgramError


def decode(path: Path) -> str:
    """The text of ``path`` as the parser reads it (OSError, UnicodeDecodeError as raised)."""
    return Path(path).read_text(encoding="utf-8-sig")


def source_lines(text: str) -> list[str]:
    """The lines of a source text, numbered as the parser numbers them (from 1: index + 1)."""
    return text.split("\n")


def read_source(path: str | Path) -> str:
    """The UTF-8 text of ``path``, or a ``ProgramError`` saying what to do instead."""
    path = Path(path)
    try:
        return decode(path)
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
