"""Sentence vectors from an encoder's hidden states (for text-embedding similarity)."""

from __future__ import annotations

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast, XLMRobertaModel

from xitt.models.batching import batching_for
from xitt.models.device import attention_kernels, model_device, use_best_attention
from xitt.models.encode import capacity, encode_texts
from xitt.models.loop import autocast


def pooled(states: torch.Tensor, mask: torch.Tensor, pool: str) -> torch.Tensor:
    """``mean`` over real tokens (padding masked out) or the ``cls`` (``<s>``) state."""
    if pool == "cls":
        return states[:, 0]
    if pool == "mean":
        weights = mask.unsqueeze(-1).to(states.dtype)
        return (states * weights).sum(1) / weights.sum(1).clamp(min=1)
    raise ValueError(f"pool must be 'mean' or 'cls', got {pool!r}")


def embed_texts(
    encoder: XLMRobertaModel,
    tokenizer: PreTrainedTokenizerFast,
    texts: list[str],
    pool: str = "mean",
    layer: int = -1,
    batch: int = 64,
    max_length: int = 64,
) -> np.ndarray:
    """One float32 vector per text, (n, hidden); ``layer`` indexes hidden states (0 = embeddings).

    ``batch`` rows per forward pass on the CPU; on CUDA, length-sorted batches as large as the
    device's evaluation budget allows (``batching``), under bf16 autocast."""
    device = model_device(encoder)
    if not texts:
        return np.zeros((0, encoder.config.hidden_size), dtype=np.float32)
    data = encode_texts(tokenizer, texts, min(max_length, capacity(encoder.config)))
    out = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
    use_best_attention(encoder, device)
    encoder.eval()
    batching = batching_for(device)
    with torch.inference_mode(), autocast(device), attention_kernels(device):
        for rows in batching.evaluation(data.lengths, max(batch, batching.eval_rows) if batching.eval_tokens else batch):
            b = data.batch(rows, device, batching)
            result = encoder(input_ids=b.ids, attention_mask=b.mask, output_hidden_states=layer != -1)
            states = result.last_hidden_state if layer == -1 else result.hidden_states[layer]
            out[rows] = pooled(states.float(), b.mask, pool).cpu().numpy()
    return out
