"""CoNLL-U, the Universal Dependencies format, read for POS tagging (UD-POS).

Ten tab-separated columns per word; we keep FORM and UPOS. Comment lines (`#`),
multi-word token ranges (`1-2`) and empty nodes (`1.1`) carry no UPOS tag of their own
and are skipped, as XTREME's preprocessing does.
"""

from __future__ import annotations

from pathlib import Path

from xitt.tasks.conll import blocks

FORM, UPOS = 1, 3


def read(path: Path) -> list[dict]:
    """Sentences as `{"tokens": [...], "tags": [...]}` with UPOS tag names."""
    sentences = []
    for block in blocks(path):
        words = []
        for number, line in block:
            if line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 10:
                raise ValueError(f"{path.name}, line {number}: a CoNLL-U word line has 10 tab-separated fields")
            if "-" not in fields[0] and "." not in fields[0]:
                words.append((fields[FORM], fields[UPOS]))
        if words:
            sentences.append({"tokens": [w for w, _ in words], "tags": [t for _, t in words]})
    return sentences
