"""Encoder weights on disk: safetensors and a config, never a head, never a pickle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from transformers import AutoModel, PreTrainedModel
from transformers.utils import logging as hf_logging

from xitt.models.device import use_best_attention
from xitt.models.heads import TaskModel

WEIGHTS, CONFIG = "model.safetensors", "config.json"


@contextmanager
def no_progress_bars() -> Iterator[None]:
    """transformers draws tqdm bars on save and load; they would tear the engine's live display."""
    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()


def encoder_of(model: torch.nn.Module) -> PreTrainedModel:
    """The bare encoder inside an MLM, a task model, or an encoder itself."""
    if isinstance(model, TaskModel):
        return model.encoder
    if isinstance(model, PreTrainedModel):
        return model.base_model
    raise TypeError(f"no encoder in a {type(model).__name__}")


def save_encoder(model: torch.nn.Module, directory: Path) -> None:
    """Write only the encoder (no MLM head, no task head) as model.safetensors + config.json."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with no_progress_bars():
        encoder_of(model).save_pretrained(directory, safe_serialization=True)
    for extra in directory.iterdir():  # keep the artifact to exactly the two files it promises
        if extra.name not in (WEIGHTS, CONFIG):
            extra.unlink()


def load_encoder(directory: Path, device: torch.device | None = None) -> PreTrainedModel:
    """An encoder from local files only (no hub, no remote code), in eval mode on ``device``;
    its class is the one its config names (XLM-R for ours, BERT for mBERT, ...)."""
    with no_progress_bars():
        encoder = AutoModel.from_pretrained(Path(directory), add_pooling_layer=False, local_files_only=True, trust_remote_code=False)
    device = device if device is not None else torch.device("cpu")
    use_best_attention(encoder, device)
    return encoder.to(device)
