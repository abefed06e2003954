"""Similarity measures between an intermediate and a target task. Domain code only.

``MEASURES`` gives each measure's parameters, derived from their declaration in
``measures/params.py`` (the language checker validates ``similarity x = name(params)``
against it); ``kind_of`` says whether a measure's values
are similarities or distances and their range; ``INPUTS`` says which models a measure's
step reads. The math lives in one module per family (``vocabulary``, ``size``,
``typology``, ``text_embedding``, ``sentence_embedding``, ``task_embedding``, ``cka``, ``logme``,
``transferability``). docs/measures.md gives each one's definition, source and cost.
"""

from __future__ import annotations

from xitt.measures.kinds import Kind, distance, similarity
from xitt.measures.params import PARAMS
from xitt.signature import Signature

# name -> declared parameters (``measures/params.py``); each measure lives in measures/<family>.py
MEASURES: dict[str, Signature] = {name: params.signature() for name, params in PARAMS.items()}

# Which models a measure's step reads. "encoder": the pretrained encoder (its tokenizer too);
# "intermediate_models": every intermediate-trained encoder, for every seed. A measure with
# neither looks at the data alone and survives a change of model.
INPUTS: dict[str, frozenset[str]] = {
    "text_embedding": frozenset({"encoder"}),
    "task_embedding": frozenset({"encoder"}),
    "cka": frozenset({"encoder", "intermediate_models"}),
    "logme": frozenset({"intermediate_models"}),
    "h_score": frozenset({"intermediate_models"}),
    "leep": frozenset({"intermediate_models"}),
}

_FIXED_KINDS: dict[str, Kind] = {
    "text_embedding": similarity(-1.0, 1.0),
    "sentence_embedding": similarity(-1.0, 1.0),
    "task_embedding": similarity(0.0, 1.0),  # Fisher diagonals are non-negative
    "cka": similarity(0.0, 1.0),
    "logme": similarity(None, None),  # log evidence per example; higher transfers better
    "h_score": similarity(0.0, None),
    "leep": similarity(None, 0.0),
    "typology": distance(0.0, 1.0),
}


def inputs_of(measure: str, params: dict) -> frozenset[str]:
    """The model inputs a measure's step needs with these parameters."""
    if measure == "vocabulary" and params.get("unit") == "subwords":
        return frozenset({"encoder"})  # the tokenizer travels in the encoder artifact
    if measure == "sentence_embedding":  # another encoder is read from its own files
        return frozenset({"encoder"}) if params.get("model", "encoder") == "encoder" else frozenset()
    return INPUTS.get(measure, frozenset())


def kind_of(measure: str, params: dict) -> Kind:
    """Similarity or distance, and the range, of a measure with these parameters."""
    if measure == "vocabulary":
        from xitt.measures.vocabulary import KINDS

        return KINDS[params["measure"]]
    if measure == "size":
        from xitt.measures.size import KINDS as SIZE_KINDS

        return SIZE_KINDS[params["measure"]]
    return _FIXED_KINDS[measure]
