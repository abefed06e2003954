"""Similarity steps: one generic op per declared measure (``xitt/measures/declared/``)
computes the whole intermediate x target matrix.

Every result is ``{"intermediates", "targets", "values": {inter: {target: v}}, "kind":
"similarity", "measure", "direction": "similarity" | "distance", "range": [low, high]}``
(None for an unbounded side), so the correlation step can give every measure one sign.
Model-level measures that read intermediate-trained encoders average over seeds.
"""

from __future__ import annotations

import sys
from functools import cached_property

from xitt.engine.registry import StepContext, op
from xitt.errors import UserError
from xitt.measures.declare import Measure
from xitt.ops.libraries import MEASURE_LIBRARIES
from xitt.ops.taskdata import HELPERS
from xitt.study import Compared, Mixture, SimilarityStep, Target

LABELLED = ("classification", "pair_classification", "tagging")  # formats the model-level measures read


class _Step:
    """A measure's view of its step (``xitt.measures.declare.MeasureStep``): the typed
    params, rows and columns, and the study's data and models, each read when first asked for."""

    def __init__(self, ctx: StepContext, typed: SimilarityStep):
        self.ctx, self.typed = ctx, typed
        self.params, self.rows, self.columns = typed.params, typed.rows, typed.columns
        self.step_id, self.info = ctx.step_id, ctx.info

    @cached_property
    def data(self):
        """The study's examples: the world's, or its real tasks' load steps."""
        from xitt.ops.taskdata import examples_of

        return examples_of(self.ctx.inputs)

    def examples(self, spec: Compared, samples: int) -> list[dict]:
        from xitt.ops.taskdata import spec_examples

        return spec_examples(self.data, spec, samples)

    def texts(self, spec: Compared, samples: int) -> list[str]:
        from xitt.tasks.formats import example_text

        return [example_text(e) for e in self.examples(spec, samples)]

    def labelled(self, spec: Compared):
        if isinstance(spec.subject, Mixture):
            raise UserError(f"{self.step_id} needs one task with one label set, and {spec.label} is a mixture",
                            hint="use logme, h_score or cka for mixtures")
        name = spec.subject.task
        task = self.data.info(name)
        if task.format.value not in LABELLED:
            raise UserError(f"{self.step_id} needs labelled classification or tagging data, and task {name} is {task.format.value}")
        return task

    @cached_property
    def _device(self):
        from xitt.ops.runtime import setup_torch

        return setup_torch(self.ctx)

    def device(self):
        return self._device

    def encoder(self):
        from xitt.ops.runtime import load_encoder_artifact

        return load_encoder_artifact(self.ctx.inputs["encoder"], self.device())

    def tokenizer_file(self):
        from xitt.ops.runtime import TOKENIZER_FILE

        return self.ctx.inputs["encoder"].file(TOKENIZER_FILE)

    def finetuned(self, spec: Compared, examples: list[dict], lr: float, epochs: int, batch: int):
        from xitt.models.finetune import TrainSettings, train_task

        encoder, tokenizer = self.encoder()
        settings = TrainSettings(lr=lr, epochs=epochs, batch=batch, seed=0)
        return train_task(encoder, tokenizer, self.labelled(spec), examples, settings), tokenizer

    def seed_averaged(self, score):
        import numpy as np

        from xitt.ops.runtime import load_encoder_artifact

        artifacts, seeds = list(self.ctx.inputs["intermediate_models"]), len(self.typed.seeds or ())
        values = np.zeros((len(self.rows), len(self.columns)))
        done = 0
        for i, spec in enumerate(self.rows):  # the compiler's order: unit-major, then seed
            models = artifacts[i * seeds: (i + 1) * seeds]
            for artifact in models:
                encoder, tokenizer = load_encoder_artifact(artifact, self.device())
                values[i] += [score(encoder, tokenizer, spec, j) for j in range(len(self.columns))]
                done += 1
                self.progress(done, len(artifacts))
            values[i] /= len(models)
        return values

    def language_shares(self, spec: Compared, evaluation: bool = False) -> dict[str, float]:
        from xitt.ops.taskdata import spec_keys

        data, shares = self.data, {}
        for part in spec.parts:
            if evaluation and isinstance(spec.subject, Target):
                keys = ([k for k in data.eval_keys if k[0] == part.task]
                        or [(part.task, lang, "test") for lang in spec.subject.eval_languages])
            else:
                keys = spec_keys(data, spec, part)
            for key in keys:
                shares[key[1]] = shares.get(key[1], 0.0) + len(data.get(*key))
        return shares

    def world(self):
        return self.data.world

    def progress(self, done: int, total: int) -> None:
        self.ctx.progress(done, total, {})


def _matrix(measure: Measure, step: SimilarityStep, values) -> dict:
    """The result every similarity step returns (see the module docstring)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).all():
        raise UserError(
            f"similarity measure {measure.name} gave non-finite values (e.g. two tasks with no words in common)",
            hint="for vocabulary divergences set `smoothing: 1e-6`; otherwise pick another measure",
        )
    rows, columns = step.rows, step.columns
    return {
        "intermediates": [r.label for r in rows],
        "targets": [c.label for c in columns],
        "values": {r.label: {c.label: float(values[i][j]) for j, c in enumerate(columns)} for i, r in enumerate(rows)},
        "kind": "similarity",
        "measure": measure.name,
        **measure.kind_of(step.params).to_json(),
    }


def register(measure: Measure) -> None:
    """Register ``measure``'s op: its params type, its module in its version, its libraries."""
    step_type = SimilarityStep.of(measure.params)

    def run(ctx: StepContext) -> dict:
        typed = step_type.from_json(ctx.params)
        return _matrix(measure, typed, measure.compute(_Step(ctx, typed)))

    run.__doc__ = sys.modules[measure.compute.__module__].__doc__
    op(measure.op, params=step_type, helpers=[sys.modules[measure.compute.__module__], *HELPERS],
       libraries=(*MEASURE_LIBRARIES, *measure.libraries))(run)
