"""Phase 1: pretrain the tiny XLM-R-shaped model with masked language modelling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast, XLMRobertaForMaskedLM

from xitt.models.batching import batching_for
from xitt.models.device import compile_mode, compiled, pick_device, use_best_attention
from xitt.models.encode import Encoded, as_tensor, cut, encode_texts
from xitt.models.loop import LoopSettings, Progress, step_batches, train
from xitt.models.params import PretrainSettings
from xitt.models.tiny import tiny_config, tiny_mlm

MASK_SHARE = 0.15  # of non-special tokens, of which 80% become <mask>, 10% a random token, 10% stay
WARMUP = 0.06  # RoBERTa's share of warmup steps


@dataclass(frozen=True)
class Masking:
    """BERT's 80/10/10 corruption, drawn from a seeded generator."""

    mask_id: int
    special_ids: np.ndarray
    replacement_ids: np.ndarray  # ids a token may be swapped for: every non-special one

    def corrupt(self, ids: np.ndarray, lengths: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Corrupted ids and the boolean positions to predict (at least one per batch)."""
        real = (np.arange(ids.shape[1])[None, :] < lengths[:, None]) & ~np.isin(ids, self.special_ids)
        chosen = real & (rng.random(ids.shape) < MASK_SHARE)
        if not chosen.any():
            candidates = np.flatnonzero(real)
            chosen.flat[candidates[rng.integers(len(candidates))] if len(candidates) else 0] = True
        roll = rng.random(ids.shape)
        corrupted = ids.copy()
        corrupted[chosen & (roll < 0.8)] = self.mask_id
        swap = chosen & (roll >= 0.8) & (roll < 0.9)
        corrupted[swap] = rng.choice(self.replacement_ids, size=int(swap.sum()))
        return corrupted, chosen


def masking_for(tokenizer: PreTrainedTokenizerFast) -> Masking:
    special = np.array(sorted(set(tokenizer.all_special_ids)), dtype=np.int64)
    return Masking(tokenizer.mask_token_id, special, np.setdiff1d(np.arange(len(tokenizer)), special))


def mlm_loss(model: XLMRobertaForMaskedLM, ids: torch.Tensor, mask: torch.Tensor, targets: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
    """Cross-entropy at the chosen positions only: the vocabulary projection is the
    costliest layer of a tiny model, so it runs on ~15% of the tokens, not all of them."""
    hidden = model.roberta(input_ids=ids, attention_mask=mask).last_hidden_state
    logits = model.lm_head(hidden[chosen])
    return torch.nn.functional.cross_entropy(logits.float(), targets[chosen])


def pretrain_mlm(
    tokenizer: PreTrainedTokenizerFast,
    texts: list[str],
    settings: PretrainSettings,
    progress: Progress | None = None,
) -> XLMRobertaForMaskedLM:
    """A tiny MLM trained from scratch on ``texts``; the same inputs give the same weights."""
    if not texts:
        raise ValueError("no texts to pretrain on")
    device = pick_device()
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    model = tiny_mlm(tiny_config(tokenizer, settings.layers, settings.hidden, settings.heads, settings.max_length)).to(device)
    use_best_attention(model, device)
    data: Encoded = encode_texts(tokenizer, texts, settings.max_length)
    masking = masking_for(tokenizer)
    batching = batching_for(device)

    def loss_of(rows: np.ndarray) -> torch.Tensor:
        longest = int(data.lengths[rows].max())
        ids, lengths = data.ids[rows, :longest], data.lengths[rows]
        corrupted, chosen = masking.corrupt(ids, lengths, rng)  # drawn at the rows' own width, padded after
        width = batching.width(longest)
        attention = (np.arange(width)[None, :] < lengths[:, None]).astype(np.int64)
        if width > longest:
            every = np.arange(len(rows))
            corrupted, ids, chosen = (cut(a, every, width, fill) for a, fill in ((corrupted, data.pad_id), (ids, data.pad_id), (chosen, False)))
        return mlm_loss(model, *(as_tensor(a, device) for a in (corrupted, attention, ids, chosen)))

    batches = step_batches(data.lengths, settings.batch, settings.pretrain_steps, rng)
    with compiled(model.roberta, compile_mode(device)):
        train(model, batches, loss_of, LoopSettings(settings.lr, WARMUP), device, progress)
    return model

