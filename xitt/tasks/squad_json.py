"""SQuAD's JSON format (v1.1 and v2.0), which XQuAD, MLQA and TyDiQA-GoldP share.

`{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
[{"text", "answer_start"}], "is_impossible"?}]}]}]}` becomes one QA example per question,
in our schema (answers as parallel lists; an unanswerable question has empty lists).
"""

from __future__ import annotations

import json
from pathlib import Path

from xitt.tasks.text import read_text


def read(path: Path) -> list[dict]:
    """Every question of a SQuAD-format file, as QA examples (plus its article's title)."""
    data = json.loads(read_text(path))
    return list(examples(data))


def examples(data: dict):
    """QA examples from an already parsed SQuAD-format document."""
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = [] if qa.get("is_impossible") else qa.get("answers", [])
                yield {
                    "id": str(qa["id"]),
                    "title": article.get("title", ""),
                    "question": qa["question"],
                    "context": paragraph["context"],
                    "answers": {"text": [a["text"] for a in answers],
                                "answer_start": [int(a["answer_start"]) for a in answers]},
                }
