"""Where tensors live: the GPU when there is one, otherwise the CPU (same code on both).

Also what the GPU path adds, each a no-op on the CPU: the attention kernels SDPA may pick,
and ``torch.compile`` of an encoder while it trains (``XITT_COMPILE``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

COMPILE_ENV = "XITT_COMPILE"  # "", "0": eager; "1" or a torch.compile mode ("reduce-overhead", ...)
RECOMPILE_LIMIT = 64  # graphs per compiled forward, at most (train and eval modes, grad on and off)


def pick_device() -> torch.device:
    """CUDA when available, else CPU; callers never branch on anything but ``device.type``."""
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def model_device(module: torch.nn.Module) -> torch.device:
    """The device a module's weights are on (the first parameter's; our models never span devices)."""
    return next(module.parameters()).device


def attention_for(device: torch.device) -> str:
    """SDPA on CUDA; the eager kernels on CPU, where torch's SDPA path with dropout measured
    ~50x slower than eager for a 2-layer, 64-wide model (1.6 s vs 27 ms per MLM step)."""
    return "sdpa" if device.type == "cuda" else "eager"


def use_best_attention(model, device: torch.device) -> None:
    """Switch a transformers model to the attention kernels that suit ``device`` (not saved)."""
    wanted = attention_for(device)
    if model.config._attn_implementation != wanted:
        model.set_attn_implementation(wanted)


def attention_kernels(device: torch.device) -> contextlib.AbstractContextManager:
    """On CUDA, SDPA may use flash or memory-efficient attention (then math), never cuDNN's:
    cuDNN builds a new plan for each new (batch, length) shape, which measured 2.7 ms (forward)
    and 3.3 ms (backward) of CPU per call on an H200 with length-grouped batches. No-op on the CPU."""
    if device.type != "cuda":
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])


def compile_mode(device: torch.device) -> str | None:
    """The ``torch.compile`` mode asked for by ``XITT_COMPILE`` on CUDA ("1": the default mode);
    None (eager) on the CPU or when unset. Compilation changes no arithmetic beyond rounding."""
    wanted = os.environ.get(COMPILE_ENV, "").strip()
    if device.type != "cuda" or wanted in ("", "0"):
        return None
    return "default" if wanted == "1" else wanted


@contextlib.contextmanager
def compiled(module: torch.nn.Module, mode: str | None) -> Iterator[None]:
    """Inside the block, ``module``'s forward is compiled; after it, the plain forward again.
    ``mode`` None: nothing changes. Shapes are automatic-dynamic (torch's default): the first
    is compiled for its shape, the second once for any shape, so a run compiles twice, not
    once per bucket and micro-batch size (one compile of XLM-R takes tens of seconds); with
    "reduce-overhead" each shape still gets its own CUDA graph, which is cheap to record."""
    if mode is None:
        yield
        return
    import torch._dynamo

    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(torch._dynamo.config, name):
            setattr(torch._dynamo.config, name, max(getattr(torch._dynamo.config, name), RECOMPILE_LIMIT))
    module.forward = torch.compile(module.forward, mode=mode)
    try:
        yield
    finally:
        del module.forward  # the instance attribute: the class's forward shows through again


def eager(device: torch.device) -> contextlib.AbstractContextManager:
    """Where ``compiled`` may be at work, compiled functions run eagerly inside the block
    (evaluation mid-training: its shapes would each compile a graph of their own)."""
    set_stance = getattr(torch.compiler, "set_stance", None)
    if compile_mode(device) is None or set_stance is None:
        return contextlib.nullcontext()
    return set_stance("force_eager")
