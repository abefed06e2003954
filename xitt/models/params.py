"""The parameters of the models' phases, each declared once (light: no torch, no numpy).

``PretrainSettings`` is ``model base = toy_mlm(...)``, ``HubCheckpoint`` is ``hf("...")``,
``TrainSettings`` is ``train intermediate(...)`` / ``train target(...)``, ``Mixing`` is
``mix(..., sampling: temperature, temperature: 2)``. The checker validates a program
against their signatures; the ops read their step params back with ``from_params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xitt.signature import Params, param

SAMPLINGS = ("proportional", "uniform", "temperature")


def _vocab_size() -> int:
    return param(4000, minimum=100, maximum=250_000, help="subword types the tokenizer learns")


@dataclass(frozen=True)
class TokenizerSettings(Params):
    """The world's tokenizer (``model.tokenizer``), trained for a ``toy_mlm``."""

    vocab_size: int = _vocab_size()


@dataclass(frozen=True)
class PretrainSettings(Params):
    """``toy_mlm``: the tiny XLM-R-shaped MLM of phase 1, plus the longest input in tokens.

    ``vocab_size`` is what the tokenizer was asked for; the model takes the tokenizer's
    actual size, which is smaller when the corpus runs out of merges first.
    """

    layers: int = param(2, minimum=1, maximum=24)
    hidden: int = param(64, minimum=16, maximum=4096)
    heads: int = param(4, minimum=1, maximum=64)
    vocab_size: int = _vocab_size()
    pretrain_steps: int = param(1500, minimum=0, maximum=10_000_000)
    batch: int = param(64, minimum=1, maximum=4096)
    lr: float = param(1e-3, minimum=0.0, maximum=1.0)
    seed: int = param(0)
    max_length: int = 64  # not written in a program: the world's sentences fit


@dataclass(frozen=True)
class HubCheckpoint(Params):
    """``hf("xlm-roberta-large")``: a checkpoint from the hub cache or a local directory."""

    name: str = param("", help="hub id or local directory of a checkpoint")


@dataclass(frozen=True)
class TrainSettings(Params):
    """A training block (phase 2 or 3), plus the seed of this run (the program's ``seeds``)."""

    lr: float = param(5e-4, minimum=0.0, maximum=1.0)
    epochs: int = param(3, minimum=1, maximum=1000)
    batch: int = param(32, minimum=1, maximum=4096)
    max_length: int = param(64, minimum=8, maximum=4096)
    warmup: float = param(0.1, minimum=0.0, maximum=1.0, help="share of steps with linear warmup")
    freeze_embeddings: bool = param(False, help="keep word embeddings fixed while fine-tuning")
    accumulate: int = param(1, minimum=1, maximum=1024, help="batches per optimiser step (gradient accumulation)")
    steps: int = param(0, minimum=0, maximum=10_000_000, help="optimiser steps as a budget; 0: epochs decide")
    select: str = param("best", choices=("best", "last"), help="keep the weights that scored best on dev, or the last")
    patience: int = param(0, minimum=0, maximum=1000, help="with select: best, stop after this many dev evaluations "
                          "(one per epoch) without a better score; 0 never stops early", keyed_at_default=False)
    doc_stride: int = param(32, minimum=0, maximum=4096, help="QA: tokens shared by neighbouring context windows")
    max_answer_length: int = param(30, minimum=1, maximum=4096, help="QA: longest answer decoded, in tokens")
    seed: int = 0


@dataclass(frozen=True)
class Mixing(Params):
    """How a multi-task unit draws its batches: p_i ∝ n_i (proportional), 1 (uniform) or
    n_i^(1/T) (temperature; T = 1 is proportional, T → ∞ uniform)."""

    sampling: str = param("proportional", choices=SAMPLINGS, help="how often each task's examples are drawn")
    temperature: float = param(2.0, minimum=0.01, maximum=100.0, help="with sampling: temperature, p ~ size^(1/T)")
