"""Reading a .xitt file as text, every failure worded for the person who named the file."""

from __future__ import annotations

from pathlib import Path

from xitt.errors import Location, ProgramError


def read_source(path: str | Path) -> str:
    """The UTF-8 text of ``path``, or a ``ProgramError`` saying what to do instead."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
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
