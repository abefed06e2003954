"""Rows of any source (hub dataset, jsonl, tsv, parquet, a reader's output) mapped onto
our example schema by a task's `ColumnMap`, with labels turned into indices.

Rows without a gold label (MNLI's "-", SNLI's -1, unlabelled test splits) are dropped;
a label the task does not know is an error, not a silent guess.
"""

from __future__ import annotations

from typing import Any, Iterable

from xitt.tasks.formats import Format
from xitt.tasks.spec import ColumnMap
from xitt.tasks.tatoeba import aligned

FIELDS = {
    Format.CLASSIFICATION: ("text", "label"),
    Format.PAIR_CLASSIFICATION: ("text_a", "text_b", "label"),
    Format.TAGGING: ("tokens", "tags"),
    Format.QA: ("id", "question", "context", "answers"),
    Format.MULTIPLE_CHOICE: ("premise", "question", "choices", "label"),
}
NO_LABEL = (None, "", "-", -1, "-1")


class SkipRow(Exception):
    """A row with no gold label: not an example."""


def _column(row: dict, column: str) -> Any:
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(column)
        value = value[part]
    return value


def _value(row: dict, field: str, spec: str | tuple[str, ...] | None) -> Any:
    if spec is None:
        return _column(row, field)
    if isinstance(spec, tuple):
        return [_column(row, column) for column in spec]
    if spec.startswith("="):
        return spec[1:]
    return _column(row, spec)


def label_index(value: Any, labels: tuple[str, ...], count: int, base: int = 0, aliases: dict | None = None,
                letters: bool = False) -> int:
    """The index of a label given as an index, a digit string, a name, or (multiple
    choice) a letter; `SkipRow` for a missing gold label."""
    if value in NO_LABEL:
        raise SkipRow
    if isinstance(value, str):
        text = (aliases or {}).get(value.strip(), value.strip())
        if text in labels:
            return labels.index(text)
        if text.lstrip("-").isdigit():
            value = int(text)
        elif letters and len(text) == 1 and text.isalpha():
            value = ord(text.upper()) - ord("A") + base
        else:
            known = ", ".join(labels) if labels else f"0..{count - 1}"
            raise ValueError(f"unknown label {value!r} (known: {known})")
    index = int(value) - base
    if not 0 <= index < count:
        raise ValueError(f"label {value!r} is out of range for {count} classes")
    return index


def matches_language(row: dict, column: str | None, value: str | None) -> bool:
    """Whether a row is in the wanted language (equal, or `value-` prefixed as TyDiQA's ids);
    a file without the language column holds one language only, so all its rows are."""
    if column is None or value is None or column.split(".")[0] not in row:
        return True
    found = str(_column(row, column))
    return found == value or found.startswith(value + "-")


def to_example(row: dict, fmt: Format, labels: tuple[str, ...], cmap: ColumnMap) -> dict:
    """One row as one example of format `fmt` (raises SkipRow, KeyError or ValueError)."""
    values = {field: _value(row, field, cmap.get(field)) for field in FIELDS[fmt] if field != "label"}
    aliases = dict(cmap.aliases)
    if fmt is Format.TAGGING:
        values["tokens"] = [str(t) for t in values["tokens"]]
        values["tags"] = [label_index(t, labels, len(labels), aliases=aliases) for t in values["tags"]]
    elif fmt is Format.QA:
        answers = values["answers"]
        values["id"] = str(values["id"])
        values["answers"] = {"text": list(answers["text"]), "answer_start": [int(s) for s in answers["answer_start"]]}
    else:
        count = len(values["choices"]) if fmt is Format.MULTIPLE_CHOICE else len(labels)
        values["label"] = label_index(_value(row, "label", cmap.get("label")), labels, count, cmap.label_base,
                                      aliases, letters=fmt is Format.MULTIPLE_CHOICE)
    return values


def to_schema(rows: Iterable[dict], fmt: Format, labels: tuple[str, ...], cmap: ColumnMap,
              language: str | None = None) -> list[dict]:
    """Every labelled row in `language` as an example (retrieval rows as queries and candidates)."""
    rows = [row for row in rows if matches_language(row, cmap.language, language)]
    if fmt is Format.RETRIEVAL:
        return _retrieval(rows, cmap)
    examples = []
    for row in rows:
        try:
            examples.append(to_example(row, fmt, labels, cmap))
        except SkipRow:
            continue
    return examples


def _retrieval(rows: list[dict], cmap: ColumnMap) -> list[dict]:
    if all("side" in row for row in rows):  # already retrieval examples (a reader's output)
        return rows
    query, candidate = cmap.get("query"), cmap.get("candidate")
    if not isinstance(query, str) or not isinstance(candidate, str):
        raise KeyError("query")
    return aligned([_column(r, query) for r in rows], [_column(r, candidate) for r in rows])
