"""One lean training loop for pretraining and fine-tuning alike.

AdamW (fused) with linear warmup then linear decay to zero, gradient accumulation,
clipping at 1.0, and bf16 autocast plus TF32 matmuls on CUDA; the same code on the CPU.
The data order is fixed in advance (a list of batches from a seeded generator); a
``loss_of(batch)`` closure owns everything about the data, so the loop knows nothing of
tasks or masking. A ``split`` callback may cut a batch into micro-batches (a token budget,
``batching``); their gradients add up to the batch's, each weighted by its share of rows. Optionally a ``select`` callback scores the model (on dev data) a few
times during the run, and the best-scoring weights are the ones the run ends with.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence, Sized
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from xitt.models.device import attention_kernels, eager

Progress = Callable[[int, int, dict[str, float]], None]

CLIP_NORM = 1.0
WEIGHT_DECAY = 0.01
REPORTS = 25  # progress calls per run, besides the last
POOL = 32  # batches per length-sorted pool


@dataclass(frozen=True)
class LoopSettings:
    lr: float
    warmup: float  # share of all optimiser steps spent warming up
    accumulate: int = 1  # batches whose gradients add up to one optimiser step
    evaluations: int = 0  # times ``select`` scores the model, evenly spaced, the last at the end
    patience: int = 0  # early stopping: evaluations without a better score before the run stops; 0 never


@dataclass(frozen=True)
class LoopResult:
    loss: float  # mean loss over the last reporting window
    best_score: float | None = None  # the best ``select`` score, whose weights the model now has
    best_step: int | None = None
    stopped_step: int | None = None  # the step early stopping ended the run at, None when it ran to the end


def grouped(order: np.ndarray, lengths: np.ndarray, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Cut a shuffled order into batches of similar length, in random batch order.

    Each pool of ``POOL`` consecutive batches' worth of rows is sorted by length before it is
    cut, so a batch pads to little more than its own rows (measured: a 2-layer step costs
    ~45 ms at 45 tokens, ~25 ms at 30); the batches of a pool are then shuffled.
    """
    out = []
    for start in range(0, len(order), POOL * batch):
        pool = order[start : start + POOL * batch]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        chunks = [pool[i : i + batch] for i in range(0, len(pool), batch)]
        out.extend(chunks[i] for i in rng.permutation(len(chunks)))
    return out


def epoch_batches(lengths: np.ndarray, batch: int, epochs: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Each epoch a fresh permutation, grouped by length (an epoch's last batch may be short)."""
    batches = []
    for _ in range(epochs):
        batches.extend(grouped(rng.permutation(len(lengths)), lengths, batch, rng))
    return batches


def step_batches(lengths: np.ndarray, batch: int, steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``steps`` full batches through consecutive permutations, grouped by length (for pretraining)."""
    need, n = steps * batch, len(lengths)
    if need == 0 or n == 0:
        return []
    order = np.concatenate([rng.permutation(n) for _ in range(math.ceil(need / n))])[:need]
    return grouped(order, lengths, batch, rng)


def schedule(total: int, warmup_steps: int) -> Callable[[int], float]:
    """The learning-rate factor at each step: 0 → 1 over the warmup, then 1 → 0."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        return max(0.0, (total - step) / max(1, total - warmup_steps))

    return factor


def optimizer_for(model: torch.nn.Module, lr: float, device: torch.device) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on biases or LayerNorm gains).

    Fused on both devices: torch's CPU fused kernel measured 0.2 ms per step against 1.0 ms
    for the default loop over tensors, for the 2-layer model."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in trainable if p.ndim >= 2], "weight_decay": WEIGHT_DECAY},
        {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr, fused=True)


def autocast(device: torch.device):
    """bf16 autocast on CUDA; a no-op elsewhere."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def allow_tf32(device: torch.device) -> None:
    """TF32 for the float32 matmuls autocast leaves (optimiser, losses) on CUDA."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def evaluation_steps(total: int, evaluations: int) -> set[int]:
    """``evaluations`` optimiser steps, evenly spaced, the last one always among them."""
    if evaluations <= 0 or total <= 0:
        return set()
    return {max(1, round(total * (i + 1) / evaluations)) for i in range(min(evaluations, total))}


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def train(
    model: torch.nn.Module,
    batches: Sequence[Sized],
    loss_of: Callable[[Any], torch.Tensor],
    settings: LoopSettings,
    device: torch.device,
    progress: Progress | None = None,
    select: Callable[[], float] | None = None,
    split: Callable[[Any], Sequence[tuple[Any, int]]] | None = None,
) -> LoopResult:
    """One optimiser step per ``settings.accumulate`` batches; ``len(batch)`` counts examples.

    ``split(batch)``: the micro-batches, one forward pass each, with the number of loss
    terms (rows, or labelled tokens) each holds (default: the batch whole); each
    micro-batch's mean loss is weighted by its share of the terms, so the step's gradient is
    the one of the whole batch.
    Progress reports carry the mean loss of the window, examples/s and the ETA in seconds.
    """
    total = math.ceil(len(batches) / settings.accumulate)
    if total == 0:
        return LoopResult(float("nan"))
    allow_tf32(device)
    model.train()
    optimizer = optimizer_for(model, settings.lr, device)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule(total, round(settings.warmup * total)))
    parameters = [p for p in model.parameters() if p.requires_grad]
    every = max(1, total // REPORTS)
    evaluate_at = evaluation_steps(total, settings.evaluations) if select is not None else set()
    best: tuple[float, int, dict] | None = None
    stale, stopped = 0, None  # evaluations since the best one; the step early stopping ended the run at
    window, window_steps, seen, start, last = torch.zeros((), device=device), 0, 0, time.perf_counter(), float("nan")
    for step in range(1, total + 1):
        group = batches[(step - 1) * settings.accumulate : step * settings.accumulate]
        for batch in group:
            parts = split(batch) if split is not None else ((batch, 1),)
            terms = sum(n for _, n in parts)
            for part, n in parts:
                with autocast(device), attention_kernels(device):
                    loss = loss_of(part)
                scale = len(group) * terms / n  # len(group) exactly when the batch is one pass
                (loss / scale).backward()
                window += loss.detach().float() / scale
                seen += len(part)
        torch.nn.utils.clip_grad_norm_(parameters, CLIP_NORM)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        window_steps += 1
        if step % every == 0 or step == total:
            last = window.item() / window_steps
            window.zero_()
            window_steps = 0
            if progress is not None:
                elapsed = max(time.perf_counter() - start, 1e-9)
                progress(step, total, {"loss": last, "examples_per_s": seen / elapsed, "eta_s": elapsed / step * (total - step)})
        if step in evaluate_at:
            with eager(device):
                score = select()
            model.train()
            if best is None or score > best[0]:
                best, stale = (score, step, _snapshot(model)), 0
            else:
                stale += 1
            if settings.patience and stale >= settings.patience and step < total:
                stopped = step
                break
    if best is not None:
        model.load_state_dict(best[2])
    model.eval()
    return LoopResult(last, best[0] if best else None, best[1] if best else None, stopped)
