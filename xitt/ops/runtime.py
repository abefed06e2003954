"""What every model-touching op shares: thread and device setup, encoder artifacts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from xitt.engine.registry import StepContext
from xitt.engine.store import Artifact

ENCODER_DIR = "encoder"
TOKENIZER_FILE = "tokenizer.json"


def gpu_count() -> int:
    """NVIDIA GPUs this process may use (0 without any), found without importing torch (which
    takes seconds, and the driver of a ``--jobs`` run only dispatches): the driver's
    /proc/driver/nvidia/gpus, narrowed by CUDA_VISIBLE_DEVICES."""
    try:
        present = len(os.listdir("/proc/driver/nvidia/gpus"))
    except OSError:
        return 0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return present
    named = [v for v in visible.split(",") if v.strip()]
    return 0 if not named or named[0].strip() == "-1" else min(present, len(named))


def setup_torch(ctx: StepContext):
    """Use the step's share of the cores (the engine decides it: engine/threads.py), follow it
    as other runs come and go (checked as the op reports progress), pick the device, and
    record it in provenance."""
    import torch

    from xitt.models.device import pick_device

    torch.set_num_threads(ctx.threads)
    report = ctx.progress

    def progress(step: int, total: int, metrics) -> None:
        share = ctx.threads_now()
        if share != torch.get_num_threads():
            torch.set_num_threads(share)
        report(step, total, metrics)

    ctx.progress = progress
    device = pick_device()
    ctx.info["device"] = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    return device


def load_encoder_artifact(artifact: Artifact, device):
    from xitt.models.io import load_encoder
    from xitt.models.tokenizer import load_tokenizer

    return load_encoder(artifact.file(ENCODER_DIR), device=device), load_tokenizer(artifact.file(TOKENIZER_FILE))


def save_encoder_artifact(encoder, tokenizer_file: Path, out_dir: Path) -> None:
    """An encoder artifact holds its weights and the tokenizer it reads with."""
    from xitt.models.io import save_encoder

    save_encoder(encoder, out_dir / ENCODER_DIR)
    shutil.copyfile(tokenizer_file, out_dir / TOKENIZER_FILE)
