"""Phases 2 and 3: intermediate training, then target fine-tuning in English and zero-shot evaluation."""

from __future__ import annotations

from xitt.engine.registry import StepContext, op
from xitt.ops.runtime import TOKENIZER_FILE, load_encoder_artifact, save_encoder_artifact, setup_torch


def _train_examples(world_dir, task: str, languages) -> list[dict]:
    from xitt import world

    examples = []
    for language in languages:
        examples.extend(world.load_examples(world_dir, task, language, "train"))
    return examples


def _recording(ctx: StepContext) -> tuple[dict, object]:
    """A progress callback that forwards to the display and keeps the last metrics."""
    last: dict = {}

    def progress(step: int, total: int, metrics) -> None:
        last.update(metrics)
        ctx.progress(step, total, metrics)

    return last, progress


@op("train.intermediate", resources={"gpu": 1}, helpers=[_train_examples, _recording])
def train_intermediate(ctx: StepContext) -> dict:
    """Fine-tune the encoder on one intermediate task; keep the encoder, drop the head."""
    from xitt.models.finetune import TrainSettings, train_task
    from xitt.world.catalog import TASKS

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    examples = _train_examples(ctx.inputs["world"].path, p["task"], p["languages"])
    last, progress = _recording(ctx)
    model = train_task(encoder, tokenizer, TASKS[p["task"]], examples, TrainSettings.from_params(dict(p["train"]), seed=p["seed"]), progress)
    save_encoder_artifact(model.encoder, ctx.inputs["encoder"].file(TOKENIZER_FILE), ctx.out_dir)
    return {"task": p["task"], "languages": list(p["languages"]), "examples": len(examples), "final_loss": last.get("loss")}


@op("train.target", resources={"gpu": 1}, helpers=[_train_examples, _recording])
def train_target(ctx: StepContext) -> dict:
    """Fine-tune on the target's training languages, then score every evaluation language.

    The fine-tuned weights are not kept: nothing downstream needs them yet."""
    from xitt import world
    from xitt.models.finetune import TrainSettings, evaluate, train_task
    from xitt.world.catalog import TASKS

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    world_dir = ctx.inputs["world"].path
    examples = _train_examples(world_dir, p["task"], p["train_languages"])
    last, progress = _recording(ctx)
    task = TASKS[p["task"]]
    model = train_task(encoder, tokenizer, task, examples, TrainSettings.from_params(dict(p["train"]), seed=p["seed"]), progress)
    metrics = {
        language: evaluate(model, tokenizer, world.load_examples(world_dir, p["task"], language, "test"))
        for language in p["eval_languages"]
    }
    return {
        "task": p["task"],
        "train_languages": list(p["train_languages"]),
        "metric": task.metric,
        "scores": {language: m["score"] for language, m in metrics.items()},
        "metrics": metrics,
        "examples": len(examples),
        "final_loss": last.get("loss"),
    }
