"""Each similarity measure's parameters, declared once as a frozen dataclass (light: no
numpy). ``similarity x = name(...)`` is checked against ``PARAMS[name].signature()``;
the measure's op reads its step params back with ``from_params``. docs/measures.md gives
each measure's definition, source and cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from xitt.signature import Params, param

VOCABULARY_MEASURES = ("jensen_shannon", "jaccard", "langrank", "renyi", "cosine", "l1", "bhattacharyya")
URIEL = ("syntactic", "phonological", "inventory", "featural", "morphological", "genetic", "geographic", "script")


def _samples() -> int:
    return param(256, minimum=8, maximum=100_000, help="examples per task and language")


def _probe_pool() -> str:
    return param("cls", choices=("mean", "cls"), help="how token states become one vector (sequence tasks)")


@dataclass(frozen=True)
class FineTuned(Params):
    """The fine-tuning a measure does itself (TaskEmb, CKA), apart from the study's phases."""

    epochs: int = param(1, minimum=1, maximum=100, help="epochs of the fine-tuning this measure does itself")
    lr: float = param(5e-4, minimum=0.0, maximum=1.0, help="learning rate of that fine-tuning")
    batch: int = param(32, minimum=1, maximum=4096, help="batch size of that fine-tuning")


@dataclass(frozen=True)
class TextEmbedding(Params):
    pool: str = param("mean", choices=("mean", "cls"), help="how token states become one vector")
    samples: int = _samples()
    layer: int = param(-1, minimum=-64, maximum=64, help="hidden layer to read, -1 for the last")


@dataclass(frozen=True)
class SentenceEmbedding(Params):
    model: str = param("encoder", help="'encoder' (the study's pretrained encoder), or a local model folder or locally cached hub id of any encoder")
    pool: str = param("auto", choices=("auto", "mean", "cls"), help="sentence pooling; auto reads a sentence-transformers checkpoint's own")
    samples: int = _samples()


@dataclass(frozen=True)
class Vocabulary(Params):
    measure: str = param("jensen_shannon", choices=VOCABULARY_MEASURES, help="how the two tasks' words are compared")
    unit: str = param("words", choices=("words", "subwords"), help="whitespace words, or the model tokenizer's subwords")
    top_k: int = param(1000, minimum=10, maximum=1_000_000, help="most frequent types kept (jaccard)")
    alpha: float = param(0.99, minimum=0.01, maximum=100.0, help="order of the Rényi divergence (renyi; not 1)")
    smoothing: float = param(0.0, minimum=0.0, maximum=1.0, help="added to every count before divergences")


@dataclass(frozen=True)
class Size(Params):
    measure: str = param("ratio", choices=("size", "ratio", "ttr"), help="intermediate size, size ratio, or type-token-ratio distance")


@dataclass(frozen=True)
class Typology(Params):
    features: str = param("syntactic", choices=URIEL, help="which URIEL distance (the world has syntactic, morphological, script, phonological, featural)")
    source: str = param("world", choices=("world", "uriel"), help="the built-in world's typology vectors, or URIEL+ for real languages")
    target_languages: str = param("eval", choices=("eval", "train"), help="the target languages a task is compared with")


@dataclass(frozen=True)
class TaskEmbedding(FineTuned):
    samples: int = _samples()
    parameters: str = param("encoder", choices=("encoder", "last_layer", "outputs"), help="what the Fisher is taken over: encoder weights, the last layer's weights, or every layer's output states")


@dataclass(frozen=True)
class Cka(FineTuned):
    samples: int = _samples()
    pool: str = param("mean", choices=("mean", "cls"), help="how token states become one vector")


@dataclass(frozen=True)
class Probe(Params):
    """A transferability estimate over the intermediate models' features (LogME, H-score)."""

    samples: int = _samples()
    pool: str = _probe_pool()


@dataclass(frozen=True)
class Leep(Probe):
    l2: float = param(1e-3, minimum=0.0, maximum=100.0, help="ridge penalty of the refitted source head")


# measure name -> its params; each measure's math lives in measures/<family>.py
PARAMS: dict[str, type[Params]] = {
    "text_embedding": TextEmbedding,
    "sentence_embedding": SentenceEmbedding,
    "vocabulary": Vocabulary,
    "size": Size,
    "typology": Typology,
    "task_embedding": TaskEmbedding,
    "cka": Cka,
    "logme": Probe,
    "h_score": Probe,
    "leep": Leep,
}
