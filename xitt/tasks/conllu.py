"""CoNLL-U, the Universal Dependencies format, read for POS tagging (UD-POS) as XTREME's
``utils_preprocess.py`` (``udpos_preprocess``) reads it.

Ten tab-separated columns per word; we keep FORM and UPOS, each stripped. Comment lines
(`#`), multi-word token ranges (`1-2`) and empty nodes (`1.1`) carry no UPOS tag of their
own and are skipped (XTREME reads the CoNLL files that ud-conversion-tools make without
them). A form loses its spaces and zero-width non-joiners (U+200C), as XTREME's
``remove_empty_space`` does.

Treebanks whose licence withholds the text (UD_Arabic-NYUAD, UD_English-ESL, UD_French-FTB,
UD_Japanese-BCCWJ, ...) write `_` for every form. XTREME drops a sentence when
``num_empty > 0 and num_empty >= len(sentence) - 1`` (`num_empty`: forms equal to `_`), so
all-`_` sentences and those with a single real form go; such sentences come back marked
``"withheld": True`` and the loader drops and counts them.
"""

from __future__ import annotations

from pathlib import Path

from xitt.tasks.conll import blocks

FORM, UPOS = 1, 3


def withheld(forms: list[str]) -> bool:
    """XTREME's rule for a sentence whose text the treebank withholds (``udpos_preprocess``)."""
    empty = sum(form == "_" for form in forms)
    return empty > 0 and empty >= len(forms) - 1


def _form(text: str) -> str:
    return "".join(text.strip().replace("\u200c", "").split(" "))


def read(path: Path) -> list[dict]:
    """Sentences as `{"tokens": [...], "tags": [...]}` with UPOS tag names; withheld ones
    (see ``withheld``) also carry ``"withheld": True``."""
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
                words.append((fields[FORM].strip(), fields[UPOS].strip()))
        if words:
            forms = [w for w, _ in words]
            sentence = {"tokens": [_form(w) for w in forms], "tags": [t for _, t in words]}
            sentences.append({**sentence, "withheld": True} if withheld(forms) else sentence)
    return sentences
