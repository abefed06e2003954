"""Similarity measures between an intermediate and a target task. Domain code only."""

from __future__ import annotations

from xitt.signature import Param, Signature

# name -> declared parameters; each measure lives in measures/<name>.py
MEASURES: dict[str, Signature] = {
    "text_embedding": {
        "pool": Param("mean", choices=("mean", "cls"), help="how token states become one vector"),
        "samples": Param(256, minimum=8, maximum=100_000, help="examples per task and language"),
        "layer": Param(-1, minimum=-64, maximum=64, help="hidden layer to read, -1 for the last"),
    },
    "vocabulary": {
        "measure": Param("jensen_shannon", choices=("jensen_shannon", "jaccard"), help="how word distributions are compared"),
        "top_k": Param(1000, minimum=10, maximum=1_000_000, help="most frequent words kept (jaccard)"),
    },
}

# Measures that read a model's representations: their steps take the pretrained encoder
# as an input. The others look at the data alone and survive a change of model.
MODEL_BASED: frozenset[str] = frozenset({"text_embedding"})
