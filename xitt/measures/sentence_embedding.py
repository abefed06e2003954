"""SEmb (as in Poth et al. 2021): a task is the mean of its examples' sentence embeddings from
any encoder — typically a sentence encoder such as Sentence-BERT — and two tasks are as
similar as the cosine of those means.

Unlike TextEmb, each sentence vector is L2-normalised before averaging (as sentence
encoders' embeddings are used), so long or high-norm inputs do not dominate the task
vector, and the encoder need not be the study's. It is read from local files only: a
folder holding a Hugging Face model (a sentence-transformers checkpoint's root folder
is one), or a hub id already in the local cache. Its pooling is read from
sentence-transformers' ``1_Pooling/config.json`` when ``pool`` is ``auto``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

STUDY_ENCODER = "encoder"  # the study's own pretrained encoder, not a path


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def task_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    """The mean of the unit-length sentence vectors of one task."""
    return normalised(sentence_vectors).mean(axis=0)


def pooling_of(model_dir: Path, pool: str) -> str:
    """``mean`` or ``cls``: as asked, or (``auto``) as the checkpoint's pooling config says."""
    if pool != "auto":
        return pool
    config = Path(model_dir) / "1_Pooling" / "config.json"
    if config.is_file() and json.loads(config.read_text()).get("pooling_mode_cls_token"):
        return "cls"
    return "mean"


def load_sentence_encoder(name: str, device=None):
    """(encoder, tokenizer, folder) of a local model folder or locally cached hub id; never downloads.

    Raises ``FileNotFoundError`` with the reason when neither is found."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from xitt.models.device import use_best_attention

    path = Path(name).expanduser()
    source = str(path.resolve()) if path.exists() else name
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        encoder = AutoModel.from_pretrained(source, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError) as error:
        raise FileNotFoundError(f"no encoder at {name!r} (a local model folder, or a hub id in the local cache): {error}") from None
    device = device if device is not None else torch.device("cpu")
    use_best_attention(encoder, device)
    return encoder.to(device).eval(), tokenizer, Path(source)
