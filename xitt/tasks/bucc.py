"""BUCC 2018 (parallel sentence mining), in its release format.

For a pair `xx-en` and split (`sample`, `training`, `test`): `xx-en.<split>.xx` and
`xx-en.<split>.en` hold `id<TAB>sentence` lines, and `xx-en.<split>.gold` holds
`xx-id<TAB>en-id` lines for the true translation pairs. Most sentences have no
translation: they keep their own ids, while both sides of a gold pair take the
`xx` sentence's id, so that "same id" means "translation" as the retrieval schema says.
"""

from __future__ import annotations

from pathlib import Path


def _sentences(path: Path) -> list[tuple[str, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            sid, sep, text = line.partition("\t")
            if not sep:
                raise ValueError(f"{path.name}, line {number}: expected 'id<TAB>sentence'")
            rows.append((sid, text))
    return rows


def read(prefix: Path, code: str) -> list[dict]:
    """Queries (the xx side) and candidates (English), ids joined through the gold file."""
    gold_file = prefix.with_name(f"{prefix.name}.gold")
    gold = {}
    if gold_file.exists():
        for line in gold_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                source_id, target_id = line.split("\t")
                gold[target_id] = source_id
    queries = [{"id": sid, "text": text, "side": "query"} for sid, text in _sentences(prefix.with_name(f"{prefix.name}.{code}"))]
    candidates = [{"id": gold.get(sid, sid), "text": text, "side": "candidate"}
                  for sid, text in _sentences(prefix.with_name(f"{prefix.name}.en"))]
    return queries + candidates
