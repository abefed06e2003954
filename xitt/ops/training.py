"""Phases 2 and 3: intermediate training, then target fine-tuning in English and zero-shot evaluation.

Both phases select their weights on dev data of the languages they train on (never on the
zero-shot languages, which would leak the test condition), when ``select`` is "best".
"""

from __future__ import annotations

from xitt.engine.registry import StepContext, op
from xitt.ops.runtime import TOKENIZER_FILE, load_encoder_artifact, save_encoder_artifact, setup_torch


@op("model.hf")
def hub_model(ctx: StepContext) -> dict:
    """``hf("name")``: a checkpoint from a local directory or the hub cache (never downloaded,
    no remote code), kept as an encoder artifact (safetensors, no MLM head) for the steps
    after it. Encoder artifacts name XLM-R's special tokens, so the tokenizer must use them."""
    from xitt.errors import UserError
    from xitt.models.hub import load_pretrained
    from xitt.models.io import save_encoder
    from xitt.models.tokenizer import BOS, EOS, MASK, PAD, UNK
    from xitt.ops.runtime import ENCODER_DIR

    name = ctx.params["name"]
    encoder, tokenizer = load_pretrained(name)
    wanted = (BOS, EOS, PAD, UNK, MASK)
    if (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token, tokenizer.unk_token, tokenizer.mask_token) != wanted:
        raise UserError(f"model hf({name!r}) uses special tokens other than XLM-R's {', '.join(wanted)}: only XLM-R-family checkpoints are supported")
    save_encoder(encoder, ctx.out_dir / ENCODER_DIR)
    tokenizer.backend_tokenizer.save(str(ctx.out_dir / TOKENIZER_FILE))
    return {"name": name, "architecture": type(encoder).__name__, "parameters": sum(p.numel() for p in encoder.parameters())}


def _train_examples(world_dir, task: str, languages, split: str = "train") -> list[dict]:
    from xitt import world

    examples = []
    for language in languages:
        examples.extend(world.load_examples(world_dir, task, language, split))
    return examples


def _task_data(world_dir, task: str, languages) -> "TaskData":
    """A task's training examples in ``languages``, with their dev examples per language."""
    from xitt import world
    from xitt.models.finetune import TaskData
    from xitt.world.catalog import TASKS

    dev = {language: world.load_examples(world_dir, task, language, "dev") for language in languages}
    return TaskData(TASKS[task], _train_examples(world_dir, task, languages), dev)


def _recording(ctx: StepContext) -> tuple[dict, object]:
    """A progress callback that forwards to the display and keeps the last metrics."""
    last: dict = {}

    def progress(step: int, total: int, metrics) -> None:
        last.update(metrics)
        ctx.progress(step, total, metrics)

    return last, progress


def _loop_record(result, last: dict) -> dict:
    """What the artifact says of the run: final loss, throughput, the dev selection."""
    return {
        "final_loss": last.get("loss"),
        "examples_per_s": last.get("examples_per_s"),
        "best_dev_score": result.best_score,
        "best_step": result.best_step,
    }


@op("train.intermediate", resources={"gpu": 1}, helpers=[_train_examples, _task_data, _recording, _loop_record])
def train_intermediate(ctx: StepContext) -> dict:
    """Fine-tune the encoder on one intermediate task, or a mixture (one head per task,
    batches sampled as ``sampling`` says); keep the encoder, drop the heads."""
    from xitt.models.finetune import TrainSettings, train_tasks

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    world_dir = ctx.inputs["world"].path
    parts = p["tasks"] if "tasks" in p else [{"task": p["task"], "languages": p["languages"]}]
    tasks = [_task_data(world_dir, part["task"], part["languages"]) for part in parts]
    last, progress = _recording(ctx)
    settings = TrainSettings.from_params(dict(p["train"]), seed=p["seed"])
    trained = train_tasks(encoder, tokenizer, tasks, settings, progress, p.get("sampling", "proportional"), p.get("temperature", 1.0))
    save_encoder_artifact(trained.encoder, ctx.inputs["encoder"].file(TOKENIZER_FILE), ctx.out_dir)
    record = {
        "tasks": [{"task": part["task"], "languages": list(part["languages"]), "examples": len(data.train)} for part, data in zip(parts, tasks)],
        "examples": sum(len(data.train) for data in tasks),
        **_loop_record(trained.result, last),
    }
    if "tasks" not in p:
        record |= {"task": p["task"], "languages": list(p["languages"])}
    return record


def _retrieval_scores(world_dir, encoder, tokenizer, task: str, pivot: str, languages) -> dict[str, dict]:
    """Untrained formats: each language's test sentences retrieve their translation among
    the pivot language's (Tatoeba's protocol, English as the pivot); the pivot is not scored."""
    from xitt import world
    from xitt.models.score_retrieval import evaluate_retrieval

    candidates = world.load_examples(world_dir, task, pivot, "test")
    return {
        language: evaluate_retrieval(encoder, tokenizer, world.load_examples(world_dir, task, language, "test"), candidates)
        for language in languages if language != pivot
    }


@op("train.target", resources={"gpu": 1}, helpers=[_train_examples, _task_data, _recording, _loop_record, _retrieval_scores])
def train_target(ctx: StepContext) -> dict:
    """Fine-tune on the target's training languages, then score every evaluation language.

    The fine-tuned weights are not kept: nothing downstream needs them. A retrieval target
    is not trained: the encoder itself is scored."""
    from xitt import world
    from xitt.models.finetune import TrainSettings, evaluate, train_tasks
    from xitt.world.catalog import TASKS

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    world_dir = ctx.inputs["world"].path
    task = TASKS[p["task"]]
    record: dict = {"task": p["task"], "train_languages": list(p["train_languages"]), "metric": task.metric}
    if not task.trainable:
        metrics = _retrieval_scores(world_dir, encoder, tokenizer, p["task"], p["train_languages"][0], p["eval_languages"])
        record |= {"examples": 0}
    else:
        data = _task_data(world_dir, p["task"], p["train_languages"])
        last, progress = _recording(ctx)
        trained = train_tasks(encoder, tokenizer, [data], TrainSettings.from_params(dict(p["train"]), seed=p["seed"]), progress)
        model = trained.models[0]
        metrics = {
            language: evaluate(model, tokenizer, world.load_examples(world_dir, p["task"], language, "test"), language)
            for language in p["eval_languages"]
        }
        record |= {"examples": len(data.train), **_loop_record(trained.result, last)}
    return {**record, "scores": {language: m["score"] for language, m in metrics.items()}, "metrics": metrics}
