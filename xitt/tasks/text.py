"""Text files as the benchmarks' line-oriented formats need them.

Only ``\\n`` and ``\\r\\n`` end a line. ``str.splitlines()`` (and Python's universal-newline
reading) also breaks at a lone ``\\r``, U+2028, U+2029, U+0085 and U+001C-U+001E, which
occur inside sentences of real corpora: a Tatoeba pair file split that way loses its
alignment. A UTF-8 byte order mark at the start of a file is dropped.
"""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path) -> str:
    """The file's text, UTF-8 with or without a byte order mark, line breaks as written."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def split_lines(text: str) -> list[str]:
    """Lines split at ``\\n`` only, each without its ``\\n`` or ``\\r\\n``; a final line break
    does not open an empty last line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_lines(path: Path) -> list[str]:
    """``split_lines(read_text(path))``."""
    return split_lines(read_text(path))
