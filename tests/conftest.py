"""Shared helpers: a tiny but complete study, and running a .xitt file through the real stack."""

from __future__ import annotations

import os
from pathlib import Path

# Tests never reach the network: the hub and datasets work from local files only.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
# One thread per step whatever else runs on the machine: float results then do not depend on
# how many other xitt steps compute at the same time (engine/threads.py).
os.environ.setdefault("XITT_THREADS", "1")

import pytest

REPO = Path(__file__).resolve().parents[1]

TINY = """\
# A complete study at toy scale: every layer, seconds instead of minutes.
experiment tiny

world toy(languages: 3, seed: 3, train_size: 200, eval_size: 60, corpus_size: 2000)
model base = toy_mlm(layers: 1, hidden: 32, heads: 2, vocab_size: 800, pretrain_steps: 40, batch: 32)

tasks english = toy.{nli, sentiment} @ en
tasks targets = toy.{paraphrase, pos} train @ en eval @ *

train intermediate(lr: 1e-3, epochs: 1, batch: 32)
train target(lr: 1e-3, epochs: 1, batch: 32)
seeds 1

similarity text  = text_embedding(pool: mean, samples: 32)
similarity vocab = vocabulary(measure: jensen_shannon)

correlate spearman(similarity.*, gain) per pooled with permutation(100)

report table to "reports/tiny"
"""


def run_file(path: Path):
    """Check, compile and run a .xitt file with the real engine; the engine's own summary."""
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.compile import compile_program
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store
    from xitt.lang import load_program

    compiled = compile_program(load_program(path))
    with Store(path.parent) as store:
        return run(compiled.graph, store)


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory) -> Path:
    """A directory holding tiny.xitt, already run once (its store is warm)."""
    directory = tmp_path_factory.mktemp("study")
    path = directory / "tiny.xitt"
    path.write_text(TINY)
    run_file(path)
    return path
