"""Similarity measures between an intermediate and a target task. Domain code only.

``MEASURES`` declares each measure's parameters (the language checker validates
``similarity x = name(params)`` against it); ``kind_of`` says whether a measure's values
are similarities or distances and their range; ``INPUTS`` says which models a measure's
step reads. The math lives in one module per family (``vocabulary``, ``size``,
``typology``, ``text_embedding``, ``sentence_embedding``, ``task_embedding``, ``cka``, ``logme``,
``transferability``). docs/measures.md gives each one's definition, source and cost.
"""

from __future__ import annotations

from xitt.measures.kinds import Kind, distance, similarity
from xitt.signature import Param, Signature

_SAMPLES = Param(256, minimum=8, maximum=100_000, help="examples per task and language")
_POOL = Param("cls", choices=("mean", "cls"), help="how token states become one vector (sequence tasks)")
_FINETUNE = {
    "epochs": Param(1, minimum=1, maximum=100, help="epochs of the fine-tuning this measure does itself"),
    "lr": Param(5e-4, minimum=0.0, maximum=1.0, help="learning rate of that fine-tuning"),
    "batch": Param(32, minimum=1, maximum=4096, help="batch size of that fine-tuning"),
}
_VOCABULARY_MEASURES = ("jensen_shannon", "jaccard", "langrank", "renyi", "cosine", "l1", "bhattacharyya")
_URIEL = ("syntactic", "phonological", "inventory", "featural", "morphological", "genetic", "geographic", "script")

# name -> declared parameters; each measure lives in measures/<family>.py
MEASURES: dict[str, Signature] = {
    "text_embedding": {
        "pool": Param("mean", choices=("mean", "cls"), help="how token states become one vector"),
        "samples": _SAMPLES,
        "layer": Param(-1, minimum=-64, maximum=64, help="hidden layer to read, -1 for the last"),
    },
    "sentence_embedding": {
        "model": Param("encoder", help="'encoder' (the study's pretrained encoder), or a local model folder or locally cached hub id of any encoder"),
        "pool": Param("auto", choices=("auto", "mean", "cls"), help="sentence pooling; auto reads a sentence-transformers checkpoint's own"),
        "samples": _SAMPLES,
    },
    "vocabulary": {
        "measure": Param("jensen_shannon", choices=_VOCABULARY_MEASURES, help="how the two tasks' words are compared"),
        "unit": Param("words", choices=("words", "subwords"), help="whitespace words, or the model tokenizer's subwords"),
        "top_k": Param(1000, minimum=10, maximum=1_000_000, help="most frequent types kept (jaccard)"),
        "alpha": Param(0.99, minimum=0.01, maximum=100.0, help="order of the Rényi divergence (renyi; not 1)"),
        "smoothing": Param(0.0, minimum=0.0, maximum=1.0, help="added to every count before divergences"),
    },
    "size": {
        "measure": Param("ratio", choices=("size", "ratio", "ttr"), help="intermediate size, size ratio, or type-token-ratio distance"),
    },
    "typology": {
        "features": Param("syntactic", choices=_URIEL, help="which URIEL distance (the world has syntactic, morphological, script, phonological, featural)"),
        "source": Param("world", choices=("world", "uriel"), help="the built-in world's typology vectors, or URIEL+ for real languages"),
        "target_languages": Param("eval", choices=("eval", "train"), help="the target languages a task is compared with"),
    },
    "task_embedding": {"samples": _SAMPLES, "parameters": Param("encoder", choices=("encoder", "last_layer", "outputs"), help="what the Fisher is taken over: encoder weights, the last layer's weights, or every layer's output states"), **_FINETUNE},
    "cka": {"samples": _SAMPLES, "pool": Param("mean", choices=("mean", "cls"), help="how token states become one vector"), **_FINETUNE},
    "logme": {"samples": _SAMPLES, "pool": _POOL},
    "h_score": {"samples": _SAMPLES, "pool": _POOL},
    "leep": {"samples": _SAMPLES, "pool": _POOL, "l2": Param(1e-3, minimum=0.0, maximum=100.0, help="ridge penalty of the refitted source head")},
}

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

MODEL_BASED: frozenset[str] = frozenset(name for name, roles in INPUTS.items() if "encoder" in roles)

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
