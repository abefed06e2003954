"""Models: tokenizers, the tiny built-in MLM, heads, the training loop, evaluation. Domain code only."""

from __future__ import annotations

from xitt.signature import Param, Signature

MODELS: dict[str, Signature] = {
    "toy_mlm": {
        "layers": Param(2, minimum=1, maximum=24),
        "hidden": Param(64, minimum=16, maximum=4096),
        "heads": Param(4, minimum=1, maximum=64),
        "vocab_size": Param(4000, minimum=100, maximum=250_000),
        "pretrain_steps": Param(1500, minimum=0, maximum=10_000_000),
        "batch": Param(64, minimum=1, maximum=4096),
        "lr": Param(1e-3, minimum=0.0, maximum=1.0),
        "seed": Param(0),
    },
    "hf": {"name": Param("", help="hub id or local directory of a checkpoint")},
}

TRAIN: Signature = {
    "lr": Param(5e-4, minimum=0.0, maximum=1.0),
    "epochs": Param(3, minimum=1, maximum=1000),
    "batch": Param(32, minimum=1, maximum=4096),
    "max_length": Param(64, minimum=8, maximum=4096),
    "warmup": Param(0.1, minimum=0.0, maximum=1.0, help="share of steps with linear warmup"),
    "freeze_embeddings": Param(False, help="keep word embeddings fixed while fine-tuning"),
    "accumulate": Param(1, minimum=1, maximum=1024, help="batches per optimiser step (gradient accumulation)"),
    "steps": Param(0, minimum=0, maximum=10_000_000, help="optimiser steps as a budget; 0: epochs decide"),
    "select": Param("best", choices=("best", "last"), help="keep the weights that scored best on dev, or the last"),
    "doc_stride": Param(32, minimum=0, maximum=4096, help="QA: tokens shared by neighbouring context windows"),
    "max_answer_length": Param(30, minimum=1, maximum=4096, help="QA: longest answer decoded, in tokens"),
}

SAMPLING: Signature = {
    "sampling": Param("proportional", choices=("proportional", "uniform", "temperature"), help="how multi-task batches pick a task"),
    "temperature": Param(2.0, minimum=0.01, maximum=1000.0, help="p ∝ size^(1/temperature) when sampling is temperature"),
}
