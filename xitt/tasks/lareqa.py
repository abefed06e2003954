"""LAReQA over XQuAD-R: SQuAD-format JSON whose paragraphs also carry `sentence_breaks`
(character spans of their sentences), read as XTREME's ``utils_lareqa.py`` reads it.

Every question is a query, with the question's id (XQuAD-R keeps a question's id across
its 11 languages: the ``xling_id``). Every sentence of a paragraph with at least one
usable question is a candidate, once, with its own ``uid`` (``<language>_<paragraph
number>_<sentence number>``, paragraphs counted from 1 through the file) and as text the
sentence followed by its whole paragraph, line breaks removed (XTREME's
``sentences_and_contexts``). A candidate's ``ids`` are the questions it answers: those
whose answer starts inside a sentence of the paragraph with the same text. A question
whose answer starts in no sentence is skipped, as XTREME skips it. LAReQA pools the
candidates of every language: a question's answers in all 11 languages are relevant.
"""

from __future__ import annotations

import json
from pathlib import Path

from xitt.tasks.text import read_text


def _paragraph(paragraph: dict, language: str, number: int) -> tuple[list[dict], list[dict]]:
    context = paragraph["context"]
    sentences = [str(context[start:end]) for start, end in paragraph["sentence_breaks"]]
    queries, answered = [], {}
    for qa in paragraph["qas"]:
        if len(qa["answers"]) != 1:
            raise ValueError(f"question {qa['id']} has {len(qa['answers'])} answers; LAReQA's have exactly one")
        start = qa["answers"][0]["answer_start"]
        answer = next((context[lo:hi] for lo, hi in paragraph["sentence_breaks"] if lo <= start < hi), None)
        if answer is None:
            continue
        queries.append({"id": qa["id"], "text": qa["question"], "side": "query", "uid": f"{qa['id']}_{language}"})
        answered.setdefault(answer, []).append(qa["id"])
    if not queries:
        return [], []
    text = context.replace("\n", "")
    candidates = []
    for position, sentence in enumerate(sentences):
        uid = f"{language}_{number}_{position}"
        ids = answered.get(sentence, [])
        candidates.append({"id": ids[0] if ids else uid, "ids": ids, "uid": uid, "side": "candidate",
                           "text": sentence.replace("\n", "") + text})
    return queries, candidates


def read(path: Path, code: str) -> list[dict]:
    """Queries and candidate sentences of one language's XQuAD-R file (``code``: its language)."""
    data = json.loads(read_text(path))
    queries: list[dict] = []
    candidates: list[dict] = []
    number = 0
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            number += 1
            found, offered = _paragraph(paragraph, code, number)
            queries += found
            candidates += offered
    return queries + candidates
