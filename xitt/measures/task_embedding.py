"""TaskEmb (Vu et al. 2020): a task is the diagonal of the empirical Fisher information of a
model fine-tuned on it; two tasks are as similar as the cosine of those diagonals.

F = mean over examples of (d log p(y|x) / d theta)^2, with y the gold label (empirical
Fisher); for tagging, log p(y|x) sums over the labelled words. theta is a chosen subset
of the encoder's parameters, so that tasks with different heads share one space — or
(``outputs``) the encoder's layer outputs h_l, whose squared gradients are averaged over
each example's real tokens: one (layers + 1) x hidden vector per task.
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.device import model_device
from xitt.models.encode import IGNORE, encode_examples
from xitt.models.heads import TaskModel

PARAMETER_SETS = ("encoder", "last_layer", "outputs")
BATCH = 32  # examples per backward for ``outputs``, whose per-example gradients do not mix


def chosen_parameters(model: TaskModel, which: str) -> list[torch.nn.Parameter]:
    """``encoder``: every encoder weight but the word embeddings (sparse, vocabulary-sized);
    ``last_layer``: the last transformer layer's weights only."""
    encoder = model.encoder
    if which == "encoder":
        words = encoder.get_input_embeddings().weight
        return [p for p in encoder.parameters() if p is not words]
    if which == "last_layer":
        return list(encoder.encoder.layer[-1].parameters())
    raise ValueError(f"parameters must be one of {', '.join(PARAMETER_SETS)}, got {which!r}")


def fisher_diagonal(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict], which: str = "encoder") -> np.ndarray:
    """The empirical Fisher diagonal over ``examples``, flattened (one example per backward,
    since the Fisher squares per-example gradients). Dropout is off."""
    if which == "outputs":
        return output_fisher(model, tokenizer, examples)
    device = model_device(model)
    data = encode_examples(tokenizer, model.task, examples, model.max_length)
    params = chosen_parameters(model, which)
    total = [torch.zeros_like(p) for p in params]
    model.eval()
    for row in range(len(data)):
        batch = data.batch(np.array([row]), device)
        log_probs = torch.log_softmax(model(batch.ids, batch.mask).float(), dim=-1)
        labels = batch.labels.reshape(-1)
        flat = log_probs.reshape(-1, log_probs.shape[-1])
        keep = labels != IGNORE
        if not keep.any():
            continue
        log_likelihood = flat[keep].gather(1, labels[keep, None]).sum()
        grads = torch.autograd.grad(log_likelihood, params, allow_unused=True)
        for acc, g in zip(total, grads):
            if g is not None:
                acc += g.detach() ** 2
    return torch.cat([t.flatten() for t in total]).cpu().numpy().astype(np.float64) / max(len(data), 1)


def _log_likelihoods(model: TaskModel, batch) -> torch.Tensor:
    """log p(gold | x) of each example of a batch (tagging: summed over its labelled words)."""
    log_probs = torch.log_softmax(model(batch.ids, batch.mask).float(), dim=-1)
    labels = batch.labels
    keep = labels != IGNORE
    gold = log_probs.gather(-1, torch.where(keep, labels, 0).unsqueeze(-1)).squeeze(-1)
    gold = torch.where(keep, gold, torch.zeros_like(gold))
    return gold.reshape(len(labels), -1).sum(1)


def output_fisher(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict]) -> np.ndarray:
    """Empirical Fisher diagonal w.r.t. every layer's output states, mean over real tokens
    then over examples, flattened to (layers + 1) * hidden. Batched: in eval mode an
    example's log-likelihood depends on its own states only, so one backward of the batch
    sum gives every example's own gradient."""
    device = model_device(model)
    data = encode_examples(tokenizer, model.task, examples, model.max_length)
    captured: list[torch.Tensor] = []

    def keep_output(_module, _inputs, output):
        captured.append(output[0] if isinstance(output, tuple) else output)

    encoder = model.encoder
    modules = [encoder.embeddings, *encoder.encoder.layer]
    hooks = [m.register_forward_hook(keep_output) for m in modules]
    hidden = encoder.config.hidden_size
    total = torch.zeros(len(modules), hidden, device=device, dtype=torch.float64)
    model.eval()
    try:
        for start in range(0, len(data), BATCH):
            captured.clear()
            batch = data.batch(np.arange(start, min(start + BATCH, len(data))), device)
            log_likelihood = _log_likelihoods(model, batch).sum()
            grads = torch.autograd.grad(log_likelihood, captured)
            weights = batch.mask.to(torch.float64).unsqueeze(-1)
            tokens = weights.sum(1).clamp(min=1)  # (batch, 1)
            for layer, g in enumerate(grads):
                total[layer] += ((g.double() ** 2 * weights).sum(1) / tokens).sum(0)
    finally:
        for hook in hooks:
            hook.remove()
    return (total.flatten() / max(len(data), 1)).cpu().numpy()
