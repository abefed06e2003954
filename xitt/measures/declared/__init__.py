"""Every similarity measure, one module each. Adding a measure is one module here that
defines ``MEASURE`` (its params, the models it reads, its direction and range, and its
computation: ``xitt.measures.declare``) and one line in ``MODULES``; the language, the
compiler and the generic similarity op read everything else from the declaration."""

from __future__ import annotations

from importlib import import_module

from xitt.measures.declare import Measure

MODULES = (
    "text_embedding",
    "sentence_embedding",
    "vocabulary",
    "size",
    "typology",
    "task_embedding",
    "cka",
    "logme",
    "h_score",
    "leep",
    "finetuned_embedding",
)

DECLARED: tuple[Measure, ...] = tuple(import_module(f"{__name__}.{name}").MEASURE for name in MODULES)
