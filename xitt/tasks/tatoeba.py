"""Tatoeba as XTREME uses it (LASER's release): two line-aligned files per language,
`tatoeba.<xxx>-eng.<xxx>` and `tatoeba.<xxx>-eng.eng`; line i of one translates line i
of the other. Lines end at ``\\n`` or ``\\r\\n`` only (``text.split_lines``).

Each line becomes a retrieval example `{"id": str(i), "text", "side"}`. XTREME's search
(``evaluate_retrieval.py``, ``similarity_search``) indexes the non-English sentences and
looks up each English one, so the **English** sentences are the queries and the other
language's the candidates.
"""

from __future__ import annotations

from pathlib import Path

from xitt.tasks.text import read_lines


def files(path: Path, code: str) -> tuple[Path, Path]:
    """The (xxx, eng) pair for a path naming the pair's prefix or either of its files."""
    prefix = path.with_suffix("") if path.suffix in (f".{code}", ".eng") else path
    return prefix.with_name(f"{prefix.name}.{code}"), prefix.with_name(f"{prefix.name}.eng")


def read(path: Path, code: str) -> list[dict]:
    """The aligned sentences of one language pair: English queries, candidates in ``code``."""
    source, english = files(path, code)
    others, englishes = read_lines(source), read_lines(english)
    if len(others) != len(englishes):
        raise ValueError(f"{source.name} has {len(others)} lines but {english.name} has {len(englishes)}: "
                         "Tatoeba's two files must be line-aligned")
    return aligned(englishes, others)


def aligned(queries: list[str], candidates: list[str]) -> list[dict]:
    """Retrieval examples for two line-aligned lists, line i of each sharing id ``str(i)``
    (also the hub's columns, mapped by the task's ``query`` and ``candidate``)."""
    return ([{"id": str(i), "text": text, "side": "query"} for i, text in enumerate(queries)]
            + [{"id": str(i), "text": text, "side": "candidate"} for i, text in enumerate(candidates)])
