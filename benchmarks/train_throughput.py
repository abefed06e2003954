"""Training throughput: our loop against the Hugging Face Trainer, side by side in one run.

Both sides train the same model (an XLM-R-shaped encoder with XLM-R's classification
head, the same initial weights) on the same tokenised examples, with the same batch size,
maximum length, epochs and optimiser: fused AdamW, lr 5e-4, weight decay 0.01 on matrices,
10% linear warmup then linear decay, clipping at 1.0; bf16 autocast and TF32 on CUDA.

What differs, on purpose (each side as it ships):

- batching: ours groups rows of similar length into each batch (dynamic padding over
  length-sorted pools, ``loop.grouped``); the Trainer's default samples batches at random
  and pads each to its longest row. The ``hf_trainer_grouped`` run turns on the Trainer's
  own ``train_sampling_strategy="group_by_length"`` so that this difference is measured too;
- attention kernels: ours picks eager attention on the CPU and SDPA on CUDA
  (``device.attention_for``), there limited to flash and memory-efficient kernels
  (``device.attention_kernels``); the Trainer's model keeps transformers' default (SDPA);
- shapes: on CUDA ours pads each batch to one of a few bucket widths and cuts it into
  micro-batches by a token budget (``batching.batching_for``; the effective batch is the
  same), and with ``--compile MODE`` compiles the encoder while it trains (``XITT_COMPILE``);
- what the clock covers: ours times ``train_task`` whole, tokenisation included; the
  Trainer times ``trainer.train()`` on examples tokenised beforehand.

Examples/s = training examples x epochs / wall seconds. Runs alternate (ours, Trainer,
Trainer grouped, ours, ...) and each side keeps its median, so load from other processes
falls on both sides alike.

On CUDA (``--device cuda``, the default when there is one) the model is XLM-R base
shaped (``--shape base``) or large (``--shape large``) with random weights and XLM-R's
250,002-word vocabulary; the script also reports model FLOPs utilisation,

    MFU = (6 x matmul parameters + 12 x layers x hidden x mean length) x real tokens/s / peak,

with the peak bf16 dense FLOP/s of the card (``--peak-tflops``, H100 SXM: 989).

Writes benchmarks/results/train_throughput.json (``train_throughput_cuda.json`` on CUDA)
with ``device``, ``xitt_examples_per_s``, ``hf_trainer_examples_per_s`` and ``ratio``.

    .venv/bin/python benchmarks/train_throughput.py                 # CPU, quickstart shape
    .venv/bin/python benchmarks/train_throughput.py --shape base    # on a GPU machine
    python3 benchmarks/train_throughput.py --shape large --compile reduce-overhead --sides xitt

``benchmarks/gpu.sh`` runs the GPU set (base and large, eager and compiled) in one go.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from xitt.models.batching import batching_for
from xitt.models.device import COMPILE_ENV, attention_for, compile_mode
from xitt.models.finetune import TrainSettings, train_task
from xitt.models.tokenizer import load_tokenizer, train_tokenizer
from xitt.models.toydata import CLASSIFICATION, ToyWorld

RESULTS = Path(__file__).resolve().parent / "results"
LR, WARMUP, WEIGHT_DECAY = 5e-4, 0.1, 0.01
SIDES = ("xitt", "hf_trainer", "hf_trainer_grouped")
PEAKS_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0}  # dense bf16 (SXM where there are variants)


@dataclass(frozen=True)
class Shape:
    layers: int
    hidden: int
    heads: int
    vocab: int | None  # None: the toy tokenizer's size


SHAPES = {
    "quickstart": Shape(2, 64, 4, None),  # what xitt trains on a CPU
    "small": Shape(4, 256, 4, None),
    "base": Shape(12, 768, 12, 250_002),  # XLM-R base
    "large": Shape(24, 1024, 16, 250_002),  # XLM-R large
}


def config_for(tokenizer, shape: Shape, max_length: int):
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=shape.vocab or len(tokenizer),
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=4 * shape.hidden,
        max_position_embeddings=max_length + tokenizer.pad_token_id + 1,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        num_labels=2,
    )


def matmul_flops_per_token(shape: Shape, mean_length: float) -> float:
    """Training FLOPs per token: 6 per matmul weight (forward + backward) plus attention scores
    and mixing (12 x layers x hidden x length); embeddings are lookups, not counted."""
    per_layer = 4 * shape.hidden**2 + 2 * shape.hidden * 4 * shape.hidden
    return 6 * shape.layers * per_layer + 12 * shape.layers * shape.hidden * mean_length


def run_ours(model, tokenizer, examples, args, device) -> float:
    encoder = copy.deepcopy(model.roberta).to(device)
    settings = TrainSettings(lr=LR, epochs=args.epochs, batch=args.batch, max_length=args.max_length, warmup=WARMUP, select="last", seed=1)
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    train_task(encoder, tokenizer, CLASSIFICATION, examples, settings)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return len(examples) * args.epochs / (time.perf_counter() - start)


def trainer_dataset(tokenizer, examples, max_length: int):
    from datasets import Dataset

    encoded = tokenizer([e["text"] for e in examples], truncation=True, max_length=max_length)
    return Dataset.from_dict({
        "input_ids": encoded["input_ids"],
        "attention_mask": encoded["attention_mask"],
        "labels": [e["label"] for e in examples],
        "length": [len(ids) for ids in encoded["input_ids"]],
    })


def run_trainer(model, tokenizer, dataset, args, device, grouped: bool, out_dir: str) -> float:
    from transformers import DataCollatorWithPadding, PrinterCallback, Trainer, TrainingArguments
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    steps = args.epochs * -(-len(dataset) // args.batch)
    training = TrainingArguments(
        output_dir=out_dir,
        per_device_train_batch_size=args.batch,
        num_train_epochs=args.epochs,
        learning_rate=LR,
        weight_decay=WEIGHT_DECAY,
        warmup_steps=round(WARMUP * steps),
        lr_scheduler_type="linear",
        max_grad_norm=1.0,
        optim="adamw_torch_fused",
        bf16=device.type == "cuda",
        tf32=device.type == "cuda",
        use_cpu=device.type == "cpu",
        train_sampling_strategy="group_by_length" if grouped else "random",
        save_strategy="no",
        logging_strategy="no",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=1,
    )
    trainer = Trainer(model=copy.deepcopy(model), args=training, train_dataset=dataset, data_collator=DataCollatorWithPadding(tokenizer))
    trainer.remove_callback(PrinterCallback)  # its end-of-training line would interleave with ours
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    trainer.train()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return len(dataset) * args.epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--shape", choices=tuple(SHAPES), default=None, help="default: quickstart on CPU, base on CUDA")
    parser.add_argument("--examples", type=int, default=None, help="training examples (default 2000 on CPU, 8000 on CUDA)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=None, help="default 64 on CPU, 256 on CUDA")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per side; the median is kept")
    parser.add_argument("--threads", type=int, default=1, help="torch threads on the CPU (one: on a shared 2-core machine two threads measured ~10x slower under load)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="the card's dense bf16 peak (default: by its name)")
    parser.add_argument("--out", type=Path, default=None, help="where the JSON goes (default: benchmarks/results/)")
    parser.add_argument("--compile", default="", metavar="MODE", help="xitt's torch.compile mode on CUDA (sets XITT_COMPILE; 1 = default mode)")
    parser.add_argument("--sides", default=",".join(SIDES), help=f"which runs to time, of {','.join(SIDES)}")
    parser.add_argument("--warmup-examples", type=int, default=512, help="CUDA: examples each side trains on outside the clock first")
    args = parser.parse_args()
    sides = [s for s in args.sides.split(",") if s]
    if not sides or set(sides) - set(SIDES):
        parser.error(f"--sides takes names among {','.join(SIDES)}")
    os.environ[COMPILE_ENV] = args.compile
    cuda = args.device == "cuda"
    shape_name = args.shape or ("base" if cuda else "quickstart")
    shape = SHAPES[shape_name]
    args.examples = args.examples or (8000 if cuda else 2000)
    args.max_length = args.max_length or (256 if cuda else 64)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    from transformers import XLMRobertaForSequenceClassification

    # Sentences of 5 to 60 words (longer on CUDA, to fill its windows): varied lengths, as real data.
    world = ToyWorld(0, filler=3000, length=(5, 60 if not cuda else 200))
    with tempfile.TemporaryDirectory() as tmp:
        train_tokenizer(world.corpus(5000, seed=1), 4000, Path(tmp) / "tokenizer.json")
        tokenizer = load_tokenizer(Path(tmp) / "tokenizer.json")
        examples = world.classification(args.examples, seed=2)
        torch.manual_seed(0)
        model = XLMRobertaForSequenceClassification(config_for(tokenizer, shape, args.max_length)).to(device)
        dataset = trainer_dataset(tokenizer, examples, args.max_length)
        lengths = np.asarray(dataset["length"])
        warm = min(args.warmup_examples, len(examples))
        timed = {
            "xitt": lambda n: run_ours(model, tokenizer, examples[:n], args, device),
            "hf_trainer": lambda n: run_trainer(model, tokenizer, dataset.select(range(n)), args, device, False, tmp),
            "hf_trainer_grouped": lambda n: run_trainer(model, tokenizer, dataset.select(range(n)), args, device, True, tmp),
        }
        if cuda:  # kernels, cuBLAS handles, compiled graphs and the allocator warm up outside the clock
            for side in sides:
                if side != "hf_trainer_grouped":
                    timed[side](warm)
        runs: dict[str, list[float]] = {side: [] for side in sides}
        for repeat in range(args.repeats):
            for side in sides:
                runs[side].append(timed[side](len(examples)))
            print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in runs.items()) + " examples/s", flush=True)
    median = {k: statistics.median(v) for k, v in runs.items()}
    name = torch.cuda.get_device_name(device) if cuda else f"cpu ({platform.machine()}, {args.threads} threads)"
    results = {
        "device": name,
        "shape": {"name": shape_name, **vars(shape), "vocab": shape.vocab or len(tokenizer)},
        "examples": args.examples, "epochs": args.epochs, "batch": args.batch, "max_length": args.max_length,
        "mean_tokens": round(float(lengths.mean()), 1),
        "attention": {"xitt": attention_for(device), "hf_trainer": model.config._attn_implementation},
        "xitt_batching": {"buckets": list(batching_for(device).buckets), "max_tokens": batching_for(device).max_tokens},
        "xitt_compile": compile_mode(device),
        **{f"{k}_examples_per_s": round(v, 1) for k, v in median.items()},
        "runs": {k: [round(x, 1) for x in v] for k, v in runs.items()},
        "torch": torch.__version__,
    }
    for name, other in (("ratio", "hf_trainer"), ("ratio_vs_grouped", "hf_trainer_grouped")):
        if "xitt" in median and other in median:
            results[name] = round(median["xitt"] / median[other], 3)
    print(f"\n{'':<22}{'examples/s':>12}")
    for key in runs:
        print(f"{key:<22}{median[key]:>12.1f}")
    if "ratio" in results:
        print(f"ratio xitt / hf_trainer          {results['ratio']:.2f}x (goal: 3x on CUDA, large)")
    if "ratio_vs_grouped" in results:
        print(f"ratio xitt / hf_trainer_grouped  {results['ratio_vs_grouped']:.2f}x")
    if cuda or args.peak_tflops:
        peak = args.peak_tflops or next((v for k, v in PEAKS_TFLOPS.items() if k in name), None)
        flops = matmul_flops_per_token(shape, float(lengths.mean()))
        for key in runs:
            tokens_per_s = median[key] * float(lengths.mean())
            results[f"{key}_tflops"] = round(flops * tokens_per_s / 1e12, 1)
            if peak:
                results[f"{key}_mfu"] = round(flops * tokens_per_s / (peak * 1e12), 3)
                print(f"MFU {key:<18} {results[f'{key}_mfu']:.1%} of {peak:g} TFLOP/s")
    out = args.out or RESULTS / ("train_throughput.json" if not cuda else f"train_throughput_cuda_{shape_name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
