"""The formats tasks come in, and the example schema each one uses.

Examples travel as plain JSON-able dicts (one JSON line each on disk):

- ``classification``       ``{"text": str, "label": int}``
- ``pair_classification``  ``{"text_a": str, "text_b": str, "label": int}``
- ``tagging``              ``{"tokens": [str, ...], "tags": [int, ...]}``  (one tag per word)

Labels are indices into ``TaskInfo.labels``. Later formats (QA, multiple choice,
retrieval) add their own schema here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Format(str, Enum):
    CLASSIFICATION = "classification"
    PAIR_CLASSIFICATION = "pair_classification"
    TAGGING = "tagging"


@dataclass(frozen=True)
class TaskInfo:
    """What a training or evaluation step needs to know about a task."""

    name: str
    format: Format
    labels: tuple[str, ...]
    metric: str  # "accuracy" for classification and POS, "f1" (seqeval spans) for NER

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def to_json(self) -> dict:
        return {"name": self.name, "format": self.format.value, "labels": list(self.labels), "metric": self.metric}

    @classmethod
    def from_json(cls, data: dict) -> "TaskInfo":
        return cls(data["name"], Format(data["format"]), tuple(data["labels"]), data["metric"])


def example_text(example: dict) -> str:
    """The input text of an example in any format, for data-level measures and embeddings."""
    if "text" in example:
        return example["text"]
    if "text_a" in example:
        return f"{example['text_a']} {example['text_b']}"
    if "tokens" in example:
        return " ".join(example["tokens"])
    raise ValueError(f"no text in example with keys {sorted(example)}")
