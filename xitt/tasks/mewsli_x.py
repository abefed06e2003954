"""Mewsli-X (XTREME-R's entity linking as retrieval), in the files its
`get-mewsli-x.sh` builds.

- evaluation, `wikinews_mentions-{dev,test}.jsonl`: one WikiNews article per line
  (`context.text`, `context.language`, `context.sentence_spans`) with its `mentions`
  (`entity_id`, `mention_span.start`); each mention is a query whose text is the sentence
  holding it, and `candidate_set_entities.jsonl` (`entity_id`, `description`) gives the
  candidates;
- training, `wikipedia_pairs-train.jsonl`: English (`contextual_mention`, `entity`) pairs,
  a query and its candidate each.

A query and the entity it links to share the entity's QID as id.
"""

from __future__ import annotations

from pathlib import Path

from xitt.tasks.rows import read_jsonl


def _sentence(text: str, spans: list, start: int) -> str:
    for lo, hi in spans:
        if lo <= start < hi:
            return text[lo:hi]
    return text


def _query(context: dict, mention: dict) -> dict:
    text = _sentence(context["text"], context.get("sentence_spans") or [], mention["mention_span"]["start"])
    return {"id": mention["entity_id"], "text": text, "side": "query", "mention": mention["mention_span"]["text"]}


def _candidate(entity: dict) -> dict:
    return {"id": entity["entity_id"], "text": entity["description"], "side": "candidate"}


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
