"""Checks that an example follows its format's schema (formats.py), so that a source
that maps columns wrongly fails at load time with the example at fault, not deep inside
training."""

from __future__ import annotations

from xitt.tasks.formats import Format

SIDES = ("query", "candidate")


def _is_text(value) -> bool:
    return isinstance(value, str)


def problem(example: dict, fmt: Format, num_labels: int) -> str | None:
    """What is wrong with `example` as a `fmt` example, or None when nothing is."""
    if fmt is Format.CLASSIFICATION:
        ok = _is_text(example.get("text")) and isinstance(example.get("label"), int)
        return None if ok and 0 <= example["label"] < num_labels else "needs text and a label index"
    if fmt is Format.PAIR_CLASSIFICATION:
        ok = _is_text(example.get("text_a")) and _is_text(example.get("text_b")) and isinstance(example.get("label"), int)
        return None if ok and 0 <= example["label"] < num_labels else "needs text_a, text_b and a label index"
    if fmt is Format.TAGGING:
        tokens, tags = example.get("tokens"), example.get("tags")
        if not isinstance(tokens, list) or not isinstance(tags, list) or len(tokens) != len(tags) or not tokens:
            return "needs as many tags as tokens, and at least one"
        return None if all(isinstance(t, int) and 0 <= t < num_labels for t in tags) else "a tag is not a label index"
    if fmt is Format.QA:
        return _qa_problem(example)
    if fmt is Format.MULTIPLE_CHOICE:
        choices = example.get("choices")
        if not (_is_text(example.get("premise")) and _is_text(example.get("question")) and isinstance(choices, list)
                and len(choices) >= 2 and all(_is_text(c) for c in choices)):
            return "needs premise, question and two or more choices"
        label = example.get("label")
        return None if isinstance(label, int) and 0 <= label < len(choices) else "the label is not a choice index"
    if fmt is Format.RETRIEVAL:
        if not (_is_text(example.get("id")) and _is_text(example.get("text"))):
            return "needs an id and a text"
        return None if example.get("side", "query") in SIDES else "side is 'query' or 'candidate'"
    return f"unknown format {fmt}"


def _qa_problem(example: dict) -> str | None:
    if not all(_is_text(example.get(k)) for k in ("id", "question", "context")):
        return "needs id, question and context"
    answers = example.get("answers")
    if not isinstance(answers, dict) or len(answers.get("text", ())) != len(answers.get("answer_start", ())):
        return "answers needs as many texts as answer_start offsets"
    context = example["context"]
    for text, start in zip(answers["text"], answers["answer_start"]):
        if context[start:start + len(text)] != text:
            return f"answer {text!r} is not at offset {start} of the context"
    return None
