"""The formats tasks come in, and the example schema each one uses.

Examples travel as plain JSON-able dicts (one JSON line each on disk). This module is the
contract between task sources (the built-in world, real benchmarks, local files) and the
models that train and score on them:

- ``classification``       ``{"text": str, "label": int}``
- ``pair_classification``  ``{"text_a": str, "text_b": str, "label": int}``
- ``tagging``              ``{"tokens": [str, ...], "tags": [int, ...]}``  (one tag per word)
- ``qa`` (extractive)      ``{"id": str, "question": str, "context": str,
                             "answers": {"text": [str, ...], "answer_start": [int, ...]}}``
                           (SQuAD's schema; character offsets into ``context``; empty
                           lists for an unanswerable question, as in SQuAD 2.0)
- ``multiple_choice``      ``{"premise": str, "question": str, "choices": [str, ...], "label": int}``
                           (COPA's ``question`` is "cause" or "effect"; HellaSwag-like
                           continuation tasks leave it "")
- ``retrieval``            ``{"id": str, "text": str}``: one sentence; sentences with the
                           same ``id`` in two languages are translations (Tatoeba, BUCC)
                           Real retrieval tasks add ``"side": "query" | "candidate"``: a query
                           (Tatoeba's non-English sentence, LAReQA's question, a Mewsli-X
                           mention) matches the candidates with its ``id``; a candidate whose
                           ``id`` no query has is a distractor.

Labels are indices into ``TaskInfo.labels`` (multiple choice: the index of the right choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Format(str, Enum):
    CLASSIFICATION = "classification"
    PAIR_CLASSIFICATION = "pair_classification"
    TAGGING = "tagging"
    QA = "qa"
    MULTIPLE_CHOICE = "multiple_choice"
    RETRIEVAL = "retrieval"


# Formats that have no training data of their own (scored on encoder states only).
UNTRAINED_FORMATS = frozenset({Format.RETRIEVAL})


@dataclass(frozen=True)
class TaskInfo:
    """What a training or evaluation step needs to know about a task."""

    name: str
    format: Format
    labels: tuple[str, ...]
    metric: str  # "accuracy", "f1" (seqeval spans for NER), "em_f1" (QA), "retrieval_accuracy"
    scorer: str = ""  # the benchmark's evaluation (a name in models/scorers.py); "" for the world's metric

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    @property
    def trainable(self) -> bool:
        return self.format not in UNTRAINED_FORMATS

    def to_json(self) -> dict:
        data = {"name": self.name, "format": self.format.value, "labels": list(self.labels), "metric": self.metric}
        return data | {"scorer": self.scorer} if self.scorer else data

    @classmethod
    def from_json(cls, data: dict) -> "TaskInfo":
        return cls(data["name"], Format(data["format"]), tuple(data["labels"]), data["metric"], data.get("scorer", ""))


def example_text(example: dict) -> str:
    """The input text of an example in any format, for data-level measures and embeddings."""
    if "text" in example:
        return example["text"]
    if "text_a" in example:
        return f"{example['text_a']} {example['text_b']}"
    if "tokens" in example:
        return " ".join(example["tokens"])
    if "question" in example and "context" in example:
        return f"{example['question']} {example['context']}"
    if "choices" in example:
        return " ".join([example["premise"], *example["choices"]])
    raise ValueError(f"no text in example with keys {sorted(example)}")
