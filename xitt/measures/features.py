"""What model-level measures read from an encoder: labelled features of a task's inputs.

Sequence tasks give one vector per example (``<s>`` or the mean of real tokens) with the
example's label; tagging tasks give one vector per word (its first subword) with the
word's tag. Inputs are encoded exactly as training encodes them (pairs as pairs).
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast, XLMRobertaModel

from xitt.models.device import model_device, use_best_attention
from xitt.models.embed import pooled
from xitt.models.encode import IGNORE, capacity, encode_examples
from xitt.models.batching import by_length
from xitt.tasks.formats import Format, TaskInfo

BATCH = 64


def labelled_features(
    encoder: XLMRobertaModel,
    tokenizer: PreTrainedTokenizerFast,
    task: TaskInfo,
    examples: list[dict],
    pool: str = "cls",
    max_length: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    """(features (n, hidden) float64, labels (n,)) of the final layer; n is examples or words."""
    device = model_device(encoder)
    data = encode_examples(tokenizer, task, examples, min(max_length, capacity(encoder.config)))
    tagging = task.format is Format.TAGGING
    features, labels = [], []
    use_best_attention(encoder, device)
    encoder.eval()
    with torch.inference_mode():
        for rows in by_length(data.lengths, BATCH):
            batch = data.batch(rows, device)
            states = encoder(input_ids=batch.ids, attention_mask=batch.mask).last_hidden_state.float()
            if tagging:
                keep = batch.labels != IGNORE
                features.append(states[keep].cpu().numpy())
                labels.append(batch.labels[keep].cpu().numpy())
            else:
                features.append(pooled(states, batch.mask, pool).cpu().numpy())
                labels.append(batch.labels.cpu().numpy())
    return np.concatenate(features).astype(np.float64), np.concatenate(labels)
