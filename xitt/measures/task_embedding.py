"""TaskEmb (Vu et al. 2020): a task is the diagonal of the empirical Fisher information of a
model fine-tuned on it; two tasks are as similar as the cosine of those diagonals.

F = mean over examples of (d log p(y|x) / d theta)^2, with y the gold label (empirical
Fisher); for tagging, log p(y|x) sums over the labelled words. theta is a chosen subset
of the encoder's parameters, so that tasks with different heads share one space — or
(``outputs``) the encoder's layer outputs h_l, whose squared gradients are averaged over
each example's real tokens: one (layers + 1) x hidden vector per task.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.device import model_device
from xitt.models.encode import IGNORE, encode_examples
from xitt.models.heads import TaskModel

PARAMETER_SETS = ("encoder", "last_layer", "outputs")
BATCH = 64  # examples per vectorised pass (``outputs``: per backward; its per-example gradients do not mix)


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
    """The empirical Fisher diagonal over ``examples``, flattened. Dropout is off.

    The Fisher squares each example's own gradient, so a plain batch backward (which sums
    them first) will not do; ``torch.func`` gives all of a batch's per-example gradients
    in one vectorised pass instead (a test checks it against one backward per example)."""
    if which == "outputs":
        return output_fisher(model, tokenizer, examples)
    from torch.func import functional_call, grad, vmap

    device = model_device(model)
    data = encode_examples(tokenizer, model.task, examples, model.max_length)
    params = chosen_parameters(model, which)
    names = {id(p): name for name, p in model.named_parameters()}
    chosen = {names[id(p)]: p.detach() for p in params}
    total = {name: torch.zeros_like(p) for name, p in chosen.items()}

    def log_likelihood(theta: dict, ids: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        # A ready 4-d additive mask: transformers then skips its own mask building, whose
        # "is anything padded?" test is data-dependent control flow that vmap cannot trace.
        additive = (1.0 - mask[None, None, None, :].float()) * torch.finfo(torch.float32).min
        logits = functional_call(model, theta, (ids[None], additive), strict=False)
        return _gold_log_probs(logits, labels[None]).sum()

    per_example = vmap(grad(log_likelihood), in_dims=(None, 0, 0, 0))
    model.eval()
    with eager_attention(model.encoder):
        for start in range(0, len(data), BATCH):
            batch = data.batch(np.arange(start, min(start + BATCH, len(data))), device)
            grads = per_example(chosen, batch.ids, batch.mask, batch.labels)
            for name, acc in total.items():
                acc += (grads[name].detach() ** 2).sum(0)
    flat = torch.cat([total[names[id(p)]].flatten() for p in params])
    return flat.cpu().numpy().astype(np.float64) / max(len(data), 1)


@contextmanager
def eager_attention(encoder):
    """Plain attention kernels while vmapped (fused ones may not batch), restored after."""
    before = encoder.config._attn_implementation
    if before != "eager":
        encoder.set_attn_implementation("eager")
    try:
        yield
    finally:
        if before != "eager":
            encoder.set_attn_implementation(before)


def _gold_log_probs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log p(gold) of each example (tagging: summed over its labelled words; others count 0)."""
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    keep = labels != IGNORE
    gold = log_probs.gather(-1, torch.where(keep, labels, 0).unsqueeze(-1)).squeeze(-1)
    gold = torch.where(keep, gold, torch.zeros_like(gold))
    return gold.reshape(len(labels), -1).sum(1)


def _log_likelihoods(model: TaskModel, batch) -> torch.Tensor:
    """log p(gold | x) of each example of a batch (tagging: summed over its labelled words)."""
    return _gold_log_probs(model(batch.ids, batch.mask), batch.labels)


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
