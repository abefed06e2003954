"""Similarity measures between an intermediate and a target task. Domain code only.

Each measure is declared whole in its own module of ``measures/declared/`` (its params,
the models it reads, its direction and range, its computation) and listed once in
``declared.DECLARED``. From there: ``MEASURES`` (name -> the params signature the language
checks ``similarity x = name(...)`` against), ``BY_NAME``, ``inputs_of`` and ``kind_of``.
The math lives in one module per family (``vocabulary``, ``size``, ``typology``,
``text_embedding``, ``sentence_embedding``, ``task_embedding``, ``cka``, ``logme``,
``transferability``). docs/measures.md gives each one's definition, source and cost.
"""

from __future__ import annotations

from typing import Any, Mapping

from xitt.measures.declare import Measure
from xitt.measures.declared import DECLARED
from xitt.measures.kinds import Kind
from xitt.signature import Signature

BY_NAME: dict[str, Measure] = {measure.name: measure for measure in DECLARED}

MEASURES: dict[str, Signature] = {measure.name: measure.params.signature() for measure in DECLARED}


def inputs_of(measure: str, params: Mapping[str, Any]) -> frozenset[str]:
    """The models a measure's step reads with these parameters (missing ones at their default):
    "encoder" (the pretrained encoder and its tokenizer), "intermediate_models" (every
    intermediate-trained encoder, for every seed), or none (the data alone)."""
    declared = BY_NAME[measure]
    return declared.inputs_of(declared.params.from_params(params))


def kind_of(measure: str, params: Mapping[str, Any]) -> Kind:
    """Similarity or distance, and the range, of a measure with these parameters."""
    declared = BY_NAME[measure]
    return declared.kind_of(declared.params.from_params(params))
