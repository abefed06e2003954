"""Real checkpoints for ``hf("name")``: a local directory, or a hub id already in the cache.

Nothing is downloaded and no code from the checkpoint runs (``local_files_only`` and
``trust_remote_code=False``): a study names weights, it does not fetch them. Only the
encoder is kept (an MLM head or pooler in the checkpoint is dropped), in eval mode.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerFast

from xitt.errors import UserError
from xitt.models.device import use_best_attention
from xitt.models.io import no_progress_bars

_ARGS = {"local_files_only": True, "trust_remote_code": False}


def resolve(name: str) -> str:
    """A directory path as a string when ``name`` is one, else ``name`` as a hub id."""
    path = Path(name).expanduser()
    return str(path.resolve()) if path.is_dir() else name


def load_pretrained(name: str, device: torch.device | None = None) -> tuple[torch.nn.Module, PreTrainedTokenizerFast]:
    """The encoder and fast tokenizer of checkpoint ``name``; a clear error when it is not here."""
    source = resolve(name)
    try:
        with no_progress_bars():
            config = AutoConfig.from_pretrained(source, **_ARGS)
            tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True, **_ARGS)
            encoder = AutoModel.from_pretrained(source, config=config, add_pooling_layer=False, **_ARGS)
    except (OSError, ValueError) as error:
        raise UserError(
            f"model hf({name!r}) is neither a checkpoint directory nor in the Hugging Face cache "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'not found'})",
            hint="xitt never downloads: run `huggingface-cli download NAME` once on a machine with access, or give a local path",
        ) from None
    if not isinstance(tokenizer, PreTrainedTokenizerFast):
        raise UserError(f"model hf({name!r}) has no fast tokenizer (tokenizer.json): word alignment for tagging and QA needs one")
    device = device if device is not None else torch.device("cpu")
    use_best_attention(encoder, device)
    return encoder.to(device).eval(), tokenizer
