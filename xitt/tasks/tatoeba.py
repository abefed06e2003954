"""Tatoeba as XTREME uses it (LASER's release): two line-aligned files per language,
`tatoeba.<xxx>-eng.<xxx>` and `tatoeba.<xxx>-eng.eng`; line i of one translates line i
of the other.

Each line becomes a retrieval example `{"id": str(i), "text", "side"}`: the non-English
sentences are the queries, the English ones the candidates (XTREME retrieves the English
translation of each sentence).
"""

from __future__ import annotations

from pathlib import Path


def files(path: Path, code: str) -> tuple[Path, Path]:
    """The (xxx, eng) pair for a path naming the pair's prefix or either of its files."""
    prefix = path.with_suffix("") if path.suffix in (f".{code}", ".eng") else path
    return prefix.with_name(f"{prefix.name}.{code}"), prefix.with_name(f"{prefix.name}.eng")


def read(path: Path, code: str) -> list[dict]:
    """The aligned sentences of one language pair as queries and candidates."""
    source, english = files(path, code)
    queries = source.read_text(encoding="utf-8").splitlines()
    candidates = english.read_text(encoding="utf-8").splitlines()
    if len(queries) != len(candidates):
        raise ValueError(f"{source.name} has {len(queries)} lines but {english.name} has {len(candidates)}: "
                         "Tatoeba's two files must be line-aligned")
    return aligned(queries, candidates)


def aligned(queries: list[str], candidates: list[str]) -> list[dict]:
    """Retrieval examples for two line-aligned lists (also the hub's source/target columns)."""
    return ([{"id": str(i), "text": text, "side": "query"} for i, text in enumerate(queries)]
            + [{"id": str(i), "text": text, "side": "candidate"} for i, text in enumerate(candidates)])
