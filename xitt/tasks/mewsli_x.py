"""Mewsli-X (XTREME-R's entity linking as retrieval), in the files its
`get-mewsli-x.sh` builds, with the texts XTREME's ``utils_mewslix.py`` makes.

- evaluation, `wikinews_mentions-{dev,test}.jsonl`: one WikiNews article per line
  (`context.text`, `context.language`, `context.sentence_spans`) with its `mentions`
  (`entity_id`, `mention_span` start, end, text); each mention is a query, and
  `candidate_set_entities.jsonl` (`entity_id`, `description`, `sentence_spans`) gives the
  candidates;
- training, `wikipedia_pairs-train.jsonl`: English (`contextual_mention`, `entity`) pairs,
  a query and its candidate each.

A query's text is ``preprocess_mention``: the one sentence holding the mention, the
mention marked with ``{ }`` (braces already in the text become parentheses), the mention
itself prepended (``"Smith: ... { Smith } ..."``). A candidate's text is
``preprocess_entity_description``: the description's sentences joined by spaces. Both
then have line breaks turned into spaces and double spaces halved, as XTREME does. A record
without ``sentence_spans`` (the release always has them) is read as one sentence. A query
and the entity it links to share the entity's QID as id.
"""

from __future__ import annotations

import re
from pathlib import Path

from xitt.tasks.rows import read_jsonl

_MARKED = re.compile(r"\{(.*?)\}")


def _normalise(text: str) -> str:
    """XTREME's ``" ".join(text.splitlines()).replace("  ", " ").strip()`` (its text
    normalisation, which does break at every Unicode line boundary)."""
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def _span(span: dict | list) -> tuple[int, int]:
    """A ``{"start", "end"}`` span (the release's form), or a ``[start, end]`` pair."""
    return (span["start"], span["end"]) if isinstance(span, dict) else (int(span[0]), int(span[1]))


def _focus(spans: list, start: int, end: int) -> tuple[int, int] | None:
    """``Span.locate_in``: the first sentence span holding the whole mention."""
    for lo, hi in map(_span, spans):
        if lo <= start < hi and lo < end <= hi:
            return lo, hi
    return None


def mention_text(context: dict, mention: dict) -> str:
    """``preprocess_mention`` of one mention in its context; ValueError when the mention
    lies in no single sentence (XTREME asserts)."""
    span = mention["mention_span"]
    spans = context.get("sentence_spans") or [(0, len(context["text"]))]  # none given: the text is one sentence
    sentence = _focus(spans, span["start"], span["end"])
    if sentence is None:
        raise ValueError(f"mention {mention.get('example_id', span['text'])!r} lies in no single sentence")
    lo, hi = sentence
    text = context["text"][lo:hi]
    left = _MARKED.sub(r"(\1)", text[: span["start"] - lo])
    right = _MARKED.sub(r"(\1)", text[span["end"] - lo:])
    return _normalise(f"{span['text']}: {left} {{ {span['text']} }} {right}")


def description_text(entity: dict) -> str:
    """``preprocess_entity_description``: the description's sentences joined by spaces."""
    description = entity["description"]
    spans = entity.get("sentence_spans") or [(0, len(description))]  # none given: the description is one sentence
    return _normalise(" ".join(description[lo:hi] for lo, hi in map(_span, spans)))


def _query(context: dict, mention: dict) -> dict:
    return {"id": mention["entity_id"], "text": mention_text(context, mention), "side": "query",
            "mention": mention["mention_span"]["text"]}


def _candidate(entity: dict) -> dict:
    return {"id": entity["entity_id"], "text": description_text(entity), "side": "candidate"}


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
