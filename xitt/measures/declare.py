"""A similarity measure, declared whole in one module of ``xitt/measures/declared/``.

A declaration says what the measure is called, what parameters it takes (a ``Params``
dataclass), which models its step reads, its direction and range (``Kind``), and how it
computes the intermediate x target matrix. The language checks ``similarity x = name(...)``
against ``params``; the compiler takes the op name and the inputs from here; one generic
op (``xitt/ops/similarity.py``) runs ``compute`` with a ``MeasureStep``.

Declarations import nothing heavy: ``compute`` imports its math when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from xitt.measures.kinds import Kind
from xitt.signature import Params
from xitt.study import Compared

ENCODER = "encoder"  # the study's pretrained encoder (and its tokenizer)
INTERMEDIATE_MODELS = "intermediate_models"  # every intermediate-trained encoder, for every seed


class MeasureStep(Protocol):
    """What a measure's computation may ask of its step (the similarity op implements it)."""

    params: Any  # the measure's own Params
    rows: tuple[Compared, ...]  # intermediate units
    columns: tuple[Compared, ...]  # targets
    step_id: str
    info: dict  # merged into the artifact's provenance

    def examples(self, spec: Compared, samples: int) -> list[dict]:
        """The first ``samples`` examples per language of a row's or column's task(s)."""

    def texts(self, spec: Compared, samples: int) -> list[str]:
        """The input texts of ``examples``."""

    def labelled(self, spec: Compared):
        """The ``TaskInfo`` of a single labelled task (classification or tagging); the
        user's error for a mixture or another format."""

    def encoder(self) -> tuple[Any, Any]:
        """The study's pretrained encoder and tokenizer, on the step's device."""

    def tokenizer_file(self) -> Path:
        """The study's tokenizer file (no model loaded)."""

    def device(self) -> Any:
        """The step's torch device (set up on first use)."""

    def finetuned(self, spec: Compared, examples: list[dict], lr: float, epochs: int, batch: int) -> tuple[Any, Any]:
        """The pretrained encoder fine-tuned with a fresh head on ``examples`` of one task."""

    def seed_averaged(self, score: Callable[[Any, Any, Compared, int], float]) -> Any:
        """Mean over seeds of ``score(encoder, tokenizer, row, column_index)`` for every pair,
        each intermediate-trained encoder loaded once; a rows x columns array."""

    def language_shares(self, spec: Compared, evaluation: bool = False) -> dict[str, float]:
        """Language -> examples in it over a task's (or mixture's) parts; with ``evaluation``
        a target's test data in its evaluation languages."""

    def world(self) -> Path | None:
        """The toy world's directory, or None in a study of real tasks."""

    def progress(self, done: int, total: int) -> None: ...


Compute = Callable[[MeasureStep], Sequence[Sequence[float]]]


@dataclass(frozen=True)
class Measure:
    """One similarity measure. ``kind`` and ``inputs`` may depend on the params (a function
    of them) or not (a value). ``libraries`` are those beyond every measure's own
    (``xitt.ops.libraries.MEASURE_LIBRARIES``) whose versions shape its values."""

    name: str
    params: type[Params]
    compute: Compute
    kind: Kind | Callable[[Any], Kind]
    inputs: frozenset[str] | Callable[[Any], frozenset[str]] = frozenset()
    libraries: tuple[str, ...] = ()

    @property
    def op(self) -> str:
        """The name of the op that computes it."""
        return f"similarity.{self.name}"

    def kind_of(self, params: Params) -> Kind:
        return self.kind(params) if callable(self.kind) else self.kind

    def inputs_of(self, params: Params) -> frozenset[str]:
        """The models its step reads: ``ENCODER``, ``INTERMEDIATE_MODELS``, or none."""
        return self.inputs(params) if callable(self.inputs) else self.inputs


def embedding_cosines(step: MeasureStep, vector: Callable[[Compared], Any]) -> Any:
    """Cosine similarity of every row's vector with every column's: each task embedded once,
    rows then columns (the shared shape of the embedding measures)."""
    import numpy as np

    from xitt.measures.text_embedding import cosine_matrix

    everything = [*step.rows, *step.columns]
    vectors = []
    for done, spec in enumerate(everything):
        vectors.append(vector(spec))
        step.progress(done + 1, len(everything))
    stacked = np.stack(vectors)
    return cosine_matrix(stacked[: len(step.rows)], stacked[len(step.rows):])


def target_data(step: MeasureStep) -> list[tuple[Any, list[dict]]]:
    """(task info, examples) of every target: ``samples`` examples per language, labelled."""
    return [(step.labelled(s), step.examples(s, step.params.samples)) for s in step.columns]


def score_target_features(step: MeasureStep, score: Callable[[Any, Any], float]) -> Any:
    """``score(features, labels)`` of each intermediate-trained encoder on each target's
    labelled inputs, seed-averaged: the shape LogME and H-score share."""
    from xitt.measures.features import labelled_features

    targets = target_data(step)
    pool = step.params.pool
    return step.seed_averaged(lambda enc, tok, spec, j: score(*labelled_features(enc, tok, targets[j][0], targets[j][1], pool)))
