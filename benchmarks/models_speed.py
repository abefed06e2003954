"""How fast the models package runs at quickstart scale on the CPU cores it is given.

Quickstart scale: hidden 64, 2 layers, 4 heads, vocabulary 4000, sentences of 5 to 30
words; pretraining 1500 steps of 64; fine-tuning 1000 examples x 3 epochs of 32, then
evaluation on 4 languages x 300 examples. Targets on 2 cores: pretraining <= 90 s, one
fine-tune + evaluation <= 2 s.

Prints one line per measurement and writes benchmarks/results/models_speed.json.
Usage: .venv/bin/python benchmarks/models_speed.py [--threads 2] [--pretrain-steps 1500]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch

from xitt.models.embed import embed_texts
from xitt.models.finetune import TrainSettings, evaluate, train_task
from xitt.models.io import load_encoder, save_encoder
from xitt.models.pretrain import PretrainSettings, pretrain_mlm
from xitt.models.tokenizer import load_tokenizer, train_tokenizer
from xitt.models.toydata import CLASSIFICATION, PAIR, TAGGING, ToyWorld

RESULTS = Path(__file__).resolve().parent / "results" / "models_speed.json"


def timed(key: str, label: str, results: dict, fn):
    """Run ``fn``, keep its wall time in seconds under ``key``, print it."""
    start = time.perf_counter()
    value = fn()
    results[key] = round(time.perf_counter() - start, 3)
    print(f"{label:<48} {results[key]:8.3f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pretrain-steps", type=int, default=1500)
    parser.add_argument("--corpus", type=int, default=20000)
    parser.add_argument("--filler", type=int, default=6000, help="filler words in the toy lexicon (fills the vocabulary)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results: dict = {"threads": args.threads, "torch": torch.__version__, "machine": platform.machine(), "seconds": {}, "scores": {}}
    seconds, scores = results["seconds"], results["scores"]
    world = ToyWorld(0, filler=args.filler, length=(5, 29))
    corpus = world.corpus(args.corpus, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokenizer.json"
        timed("tokenizer", f"train tokenizer ({args.corpus} sentences, vocab 4000)", seconds, lambda: train_tokenizer(corpus, 4000, path))
        tokenizer = load_tokenizer(path)
        results["vocab_size"] = len(tokenizer)
        settings = PretrainSettings(pretrain_steps=args.pretrain_steps)
        last: dict = {}
        model = timed("pretrain", f"pretrain ({settings.pretrain_steps} steps x {settings.batch})", seconds, lambda: pretrain_mlm(tokenizer, corpus, settings, lambda s, t, m: last.update(m)))
        scores["pretrain_final_mlm_loss"] = round(last.get("loss", float("nan")), 3)
        results["pretrain_examples_per_s"] = round(last.get("examples_per_s", float("nan")))
        save_encoder(model, Path(tmp) / "encoder")
        timed("embed_3000", "embed_texts (3000 sentences, mean pool)", seconds, lambda: embed_texts(model.roberta, tokenizer, corpus[:3000]))
        for task, make in ((CLASSIFICATION, world.classification), (PAIR, world.pair), (TAGGING, world.tagging)):
            name = task.format.value
            train, tests = make(1000, seed=2), [make(300, seed=10 + i) for i in range(4)]
            encoder = load_encoder(Path(tmp) / "encoder")
            trained = timed(f"finetune_{name}", f"fine-tune {name} (1000 x 3 epochs)", seconds, lambda: train_task(encoder, tokenizer, task, train, TrainSettings(epochs=3, batch=32, seed=1)))
            values = timed(f"evaluate_{name}", f"evaluate {name} (4 x 300)", seconds, lambda: [evaluate(trained, tokenizer, t)["score"] for t in tests])
            seconds[f"finetune_and_evaluate_{name}"] = round(seconds[f"finetune_{name}"] + seconds[f"evaluate_{name}"], 3)
            scores[f"{name}_{task.metric}_lr5e-4_3epochs"] = round(sum(values) / len(values), 3)
            print(f"{'  = fine-tune + evaluate':<48} {seconds[f'finetune_and_evaluate_{name}']:8.3f} s   (mean {task.metric} {scores[f'{name}_{task.metric}_lr5e-4_3epochs']:.3f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
