"""LAReQA over XQuAD-R: SQuAD-format JSON whose paragraphs also list their `sentences`
and `sentence_breaks` (character spans).

Every question is a query; every sentence of every paragraph is a candidate, once, with
its paragraph as `context` (XTREME-R encodes a candidate as its sentence followed by its
paragraph, `utils_lareqa.py`). The sentence holding a question's answer answers it: its
`ids` list every question it answers, and its `id` is the first of them (XQuAD-R keeps
question ids equal across its 11 languages, so the answers in every language match);
other sentences get ids no query has.
"""

from __future__ import annotations

import json
from pathlib import Path


def read(path: Path, code: str) -> list[dict]:
    """Queries and candidate sentences of one language's XQuAD-R file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    queries: list[dict] = []
    candidates: list[dict] = []
    for a, article in enumerate(data["data"]):
        for p, paragraph in enumerate(article["paragraphs"]):
            breaks = paragraph["sentence_breaks"]
            answered: dict[int, list[str]] = {}
            for qa in paragraph["qas"]:
                queries.append({"id": qa["id"], "text": qa["question"], "side": "query"})
                start = qa["answers"][0]["answer_start"]
                index = next((s for s, (lo, hi) in enumerate(breaks) if lo <= start < hi), None)
                if index is None:
                    raise ValueError(f"{path.name}: the answer of question {qa['id']} lies in no sentence")
                answered.setdefault(index, []).append(qa["id"])
            for s, sentence in enumerate(paragraph["sentences"]):
                ids = answered.get(s, [f"{code}-{a}-{p}-{s}"])
                candidates.append({"id": ids[0], "ids": ids, "text": sentence, "side": "candidate",
                                   "context": paragraph["context"]})
    return queries + candidates
