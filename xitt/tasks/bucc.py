"""BUCC 2018 (parallel sentence mining), in its release format.

For a pair `xx-en` and split (`sample`, `training`, `test`): `xx-en.<split>.xx` and
`xx-en.<split>.en` hold `id<TAB>sentence` lines, and `xx-en.<split>.gold` holds
`xx-id<TAB>en-id` lines for the true translation pairs. Lines end at ``\\n`` or ``\\r\\n``
only (``text.split_lines``); a UTF-8 byte order mark is dropped.

Every sentence keeps its file id as ``line_id``; an `xx` sentence lists its gold English
partners' ids in ``gold``. Most sentences have no translation and keep their own id as
``id``, while both sides of a gold pair take the `xx` sentence's id, so that "same id"
means "translation" as the retrieval schema says.
"""

from __future__ import annotations

from pathlib import Path

from xitt.tasks.text import read_lines


def _sentences(path: Path) -> list[tuple[str, str]]:
    rows = []
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            sid, sep, text = line.partition("\t")
            if not sep:
                raise ValueError(f"{path.name}, line {number}: expected 'id<TAB>sentence'")
            rows.append((sid, text))
    return rows


def _gold(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            fields = line.strip().split("\t")
            if len(fields) != 2:
                raise ValueError(f"{path.name}, line {number}: expected 'xx-id<TAB>en-id'")
            pairs.append((fields[0], fields[1]))
    return pairs


def read(prefix: Path, code: str) -> list[dict]:
    """Queries (the xx side) and candidates (English), ids joined through the gold file."""
    gold_file = prefix.with_name(f"{prefix.name}.gold")
    pairs = _gold(gold_file) if gold_file.exists() else []
    partner = {target: source for source, target in pairs}
    partners: dict[str, list[str]] = {}
    for source, target in pairs:
        partners.setdefault(source, []).append(target)
    queries = [{"id": sid, "text": text, "side": "query", "line_id": sid, "gold": partners.get(sid, [])}
               for sid, text in _sentences(prefix.with_name(f"{prefix.name}.{code}"))]
    candidates = [{"id": partner.get(sid, sid), "text": text, "side": "candidate", "line_id": sid}
                  for sid, text in _sentences(prefix.with_name(f"{prefix.name}.en"))]
    return queries + candidates
