"""Mewsli-X (XTREME-R's entity linking as retrieval), in the files its
`get-mewsli-x.sh` builds.

- evaluation, `wikinews_mentions-{dev,test}.jsonl`: one WikiNews article per line
  (`context.text`, `context.language`, `context.sentence_spans`) with its `mentions`
  (`entity_id`, `mention_span`); each mention is a query: the sentence holding it with the
  mention marked, as XTREME-R's baseline reads it; `candidate_set_entities.jsonl`
  (`entity_id`, `description`) gives the candidates;
- training, `wikipedia_pairs-train.jsonl`: English (`contextual_mention`, `entity`) pairs,
  a query and its candidate each.

A query and the entity it links to share the entity's QID as id.
"""

from __future__ import annotations

import re
from pathlib import Path

from xitt.tasks.rows import read_jsonl

_BRACES = re.compile(r"\{(.*?)\}")  # a mention is marked with { }; braces in the text are escaped


def _spans(spans: list) -> list[tuple[int, int]]:
    """Sentence spans written as [start, end] pairs or as {"start", "end"} objects."""
    return [(s["start"], s["end"]) if isinstance(s, dict) else (s[0], s[1]) for s in spans or []]


def _normal(text: str) -> str:
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def _query(context: dict, mention: dict) -> dict:
    """A mention as XTREME-R's baseline reads it (``utils_mewslix.preprocess_mention``): its
    sentence with the mention marked in braces (braces already there become parentheses),
    the mention written first: ``Smith: The verdict came back for { Smith }, who ...``."""
    span = mention["mention_span"]
    start = span["start"]
    end = span.get("end", start + len(span["text"]))
    text = context["text"]
    lo, hi = next(((a, b) for a, b in _spans(context.get("sentence_spans")) if a <= start < b and end <= b), (0, len(text)))
    left, right = (_BRACES.sub(r"(\1)", part) for part in (text[lo:start], text[end:hi]))
    query = _normal(f"{span['text']}: {left} {{ {span['text']} }} {right}")
    return {"id": mention["entity_id"], "text": query, "side": "query", "mention": span["text"]}


def _candidate(entity: dict) -> dict:
    """An entity as its description's sentences, joined (``preprocess_entity_description``)."""
    spans = _spans(entity.get("sentence_spans"))
    description = entity["description"]
    text = " ".join(description[a:b] for a, b in spans) if spans else description
    return {"id": entity["entity_id"], "text": _normal(text), "side": "candidate"}


def read(directory: Path, split: str, language: str) -> list[dict]:
    """One language's mentions of a split, and the candidates (all of them for dev and test)."""
    if split == "train":
        pairs = read_jsonl(directory / "wikipedia_pairs-train.jsonl")
        return ([_query(p["contextual_mention"]["context"], p["contextual_mention"]["mention"]) for p in pairs]
                + [_candidate(p["entity"]) for p in pairs])
    queries = [_query(article["context"], mention)
               for article in read_jsonl(directory / f"wikinews_mentions-{split}.jsonl")
               if article["context"]["language"] == language
               for mention in article["mentions"]]
    return queries + [_candidate(e) for e in read_jsonl(directory / "candidate_set_entities.jsonl")]
