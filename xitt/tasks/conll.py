"""CoNLL-style tagging files: one `token<TAB>tag` per line, a blank line between sentences.

This is XTREME's PAN-X (WikiANN) format, where each token carries its language as a
prefix (`en:Saunders<TAB>I-ORG`), and the documented local format for CCG supertags.
Tags stay names here; `columns.to_schema` turns them into indices.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from xitt.tasks.text import read_lines

_LANGUAGE_PREFIX = re.compile(r"^[a-z]{2,3}:(?=.)")


def blocks(path: Path) -> Iterator[list[tuple[int, str]]]:
    """The blank-line separated blocks of a file, as (line number, line) pairs (lines end at
    ``\n`` or ``\r\n`` only, as ``text.split_lines``)."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _pair(path: Path, number: int, line: str, strip_language: bool) -> tuple[str, str]:
    parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
    if len(parts) != 2:
        raise ValueError(f"{path.name}, line {number}: expected 'token<TAB>tag', got {line!r}")
    token, tag = parts
    return (_LANGUAGE_PREFIX.sub("", token) if strip_language else token), tag.strip()


def read(path: Path, strip_language: bool = True) -> list[dict]:
    """Sentences as `{"tokens": [...], "tags": [...]}` with tag names."""
    sentences = []
    for block in blocks(path):
        pairs = [_pair(path, number, line, strip_language) for number, line in block]
        sentences.append({"tokens": [t for t, _ in pairs], "tags": [g for _, g in pairs]})
    return sentences
