"""Phases 2 and 3: intermediate training, then target fine-tuning in English and zero-shot evaluation.

Both phases select their weights on dev data of the languages they train on (never on the
zero-shot languages, which would leak the test condition), when ``select`` is "best" and
dev data is there: the world has it; a real study's is its ``dev`` input (the English dev
set of the benchmark's protocol, ``xitt.tasks.registry.selection_task``), with early
stopping after ``patience`` dev evaluations without improvement. Where the examples come
from (the world, or a real study's inputs ``data``, ``dev`` and ``eval``) is ``taskdata``'s
business.
"""

from __future__ import annotations

from dataclasses import replace

from xitt.engine.registry import StepContext, op
from xitt.models.params import HubCheckpoint
from xitt.ops.libraries import MODEL_LIBRARIES, TRAINING_LIBRARIES
from xitt.ops.runtime import TOKENIZER_FILE, load_encoder_artifact, save_encoder_artifact, setup_torch
from xitt.ops.taskdata import HELPERS, benchmark_score, compatible, examples_of, selection_dev, stage_tasks, training_data, unit_data
from xitt.study import IntermediateStep, TargetStep, Task


@op("model.hf", libraries=MODEL_LIBRARIES, params=HubCheckpoint)
def hub_model(ctx: StepContext) -> dict:
    """``hf("name")``: a checkpoint from a local directory or the hub cache (never downloaded,
    no remote code), kept as an encoder artifact (safetensors, no MLM head) for the steps
    after it. Encoder artifacts name XLM-R's special tokens, so the tokenizer must use them."""
    from xitt.errors import UserError
    from xitt.models.hub import load_pretrained
    from xitt.models.io import save_encoder
    from xitt.models.tokenizer import BOS, EOS, MASK, PAD, UNK
    from xitt.ops.runtime import ENCODER_DIR

    name = HubCheckpoint.from_json(ctx.params).name
    encoder, tokenizer = load_pretrained(name)
    wanted = (BOS, EOS, PAD, UNK, MASK)
    if (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token, tokenizer.unk_token, tokenizer.mask_token) != wanted:
        raise UserError(f"model hf({name!r}) uses special tokens other than XLM-R's {', '.join(wanted)}: only XLM-R-family checkpoints are supported")
    save_encoder(encoder, ctx.out_dir / ENCODER_DIR)
    tokenizer.backend_tokenizer.save(str(ctx.out_dir / TOKENIZER_FILE))
    return {"name": name, "architecture": type(encoder).__name__, "parameters": sum(p.numel() for p in encoder.parameters())}


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
        "stopped_step": result.stopped_step,
    }


@op("train.intermediate", params=IntermediateStep, resources={"gpu": 1}, helpers=[_recording, _loop_record, *HELPERS], libraries=TRAINING_LIBRARIES)
def train_intermediate(ctx: StepContext) -> dict:
    """Fine-tune the encoder on one intermediate task, or a mixture (one head per task,
    batches sampled as ``sampling`` says); keep the encoder, drop the heads. The data is
    the world's, or a real study's ``task.load`` steps (input ``data``)."""
    from xitt.models.finetune import train_tasks

    step = IntermediateStep.from_json(ctx.params)
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    tasks = unit_data(examples_of(ctx.inputs), step.unit)
    last, progress = _recording(ctx)
    trained = train_tasks(encoder, tokenizer, tasks, step.train, progress, step.unit.mixing)
    save_encoder_artifact(trained.encoder, ctx.inputs["encoder"].file(TOKENIZER_FILE), ctx.out_dir)
    record = {
        "tasks": [{**part.to_json(), "examples": len(data.train)} for part, data in zip(step.unit.parts, tasks)],
        "examples": sum(len(data.train) for data in tasks),
        **_loop_record(trained.result, last),
    }
    if isinstance(step.unit, Task):
        record |= step.unit.to_json()
    return record


def _retrieval_scores(examples, encoder, tokenizer, task, pivot: str, languages) -> dict[str, dict]:
    """Retrieval, scored on encoder states. A real task's examples carry their side (a
    query finds the candidates with its id): Tatoeba's accuracy per language; BUCC's F1
    with the margin threshold tuned on each language's dev split; LAReQA's and Mewsli-X's
    mAP@20, each language's queries searching the pool of every evaluated language's
    candidates (LAReQA's multilingual pool; Mewsli-X's one candidate set, read once). In the
    world each language's test sentences retrieve their translation among the pivot
    language's, and the pivot is not scored."""
    from xitt.models.score_retrieval import candidate_ids, evaluate_bucc, evaluate_ranking, evaluate_retrieval, sides

    if not examples.real:
        candidates = examples.get(task.name, pivot, "test")
        return {language: evaluate_retrieval(encoder, tokenizer, examples.get(task.name, language, "test"), candidates,
                                             task="world")
                for language in languages if language != pivot}
    found = {(language, split): examples.get(name, language, split) for name, language, split in examples.eval_keys}
    tested = {language: rows for (language, split), rows in found.items() if split != "dev"}
    if task.metric == "retrieval_f1":
        return {language: evaluate_bucc(encoder, tokenizer, found[(language, "dev")], rows) for language, rows in tested.items()}
    if task.metric == "map@20":
        pool = {(tuple(candidate_ids(c)), c["text"], c.get("context", "")): c for rows in tested.values() for c in sides(rows)[1]}
        return {language: evaluate_ranking(encoder, tokenizer, sides(rows)[0], list(pool.values())) for language, rows in tested.items()}
    return {language: evaluate_retrieval(encoder, tokenizer, *sides(rows)) for language, rows in tested.items()}


def _train_stages(encoder, tokenizer, examples, step: TargetStep, progress):
    """Train on the target's stages in order, each with a fresh head on the same encoder
    (XCOPA: SIQA, then COPA; XNLI: MNLI; the world: the task itself). With ``select:
    best`` the last stage keeps the weights that score best on the dev input (XNLI's English
    dev set, though the head is MNLI's). The last stage's model and loop result, and the
    examples seen."""
    from xitt.models.finetune import train_tasks

    names = stage_tasks(examples) if examples.real else [step.target.task]
    trained, seen = None, 0
    for index, name in enumerate(names):
        data = training_data(examples, name, step.target.train_languages, with_dev=not examples.real)
        if examples.real and index == len(names) - 1:  # the last stage selects on the target's dev set
            data = replace(data, dev=selection_dev(examples))
        trained = train_tasks(encoder, tokenizer, [data], step.train, progress)
        encoder, seen = trained.encoder, seen + len(data.train)
    return trained, names, seen


def _train_dual_encoder(encoder, tokenizer, examples, step: TargetStep, progress):
    """XTREME-R's retrieval training (LAReQA on SQuAD v1.1, Mewsli-X on Wikipedia pairs):
    the stages' (query, candidate) pairs train the encoder as a dual encoder with in-batch
    negatives. The loop result, the stages and the pairs seen."""
    from xitt.models.dual_encoder import train_dual_encoder, training_pairs

    names = stage_tasks(examples)
    pairs = [pair for name in names for pair in training_pairs(
        examples.info(name), training_data(examples, name, step.target.train_languages, with_dev=False).train)]
    return train_dual_encoder(encoder, tokenizer, pairs, step.train, progress), names, len(pairs)


@op("train.target", params=TargetStep, resources={"gpu": 1}, helpers=[_recording, _loop_record, _retrieval_scores, _train_stages, _train_dual_encoder, *HELPERS], libraries=TRAINING_LIBRARIES)
def train_target(ctx: StepContext) -> dict:
    """Fine-tune on the target's training stages, then score every evaluation language.

    The fine-tuned weights are not kept: nothing downstream needs them. A retrieval target
    is scored on the encoder itself, after its benchmark's training stages if it has any
    (XTREME-R's Tatoeba after SQuAD)."""
    from xitt.models.finetune import evaluate
    from xitt.models.heads import TaskModel

    step = TargetStep.from_json(ctx.params)
    target = step.target
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    examples = examples_of(ctx.inputs)
    task = examples.info(target.task)
    record: dict = {"task": target.task, "train_languages": list(target.train_languages), "metric": task.metric}
    last, progress = _recording(ctx)
    if step.objective == "dual_encoder":
        result, stages, seen = _train_dual_encoder(encoder, tokenizer, examples, step, progress)
        record |= {"stages": stages, "objective": "dual_encoder", **_loop_record(result, last)}
        trained = None
    else:
        trained, stages, seen = _train_stages(encoder, tokenizer, examples, step, progress) if task.trainable or examples.train_keys else (None, [], 0)
    if trained is not None:
        record |= {"stages": stages, **_loop_record(trained.result, last)}
        encoder = trained.encoder
    record["examples"] = seen
    if not task.trainable:
        metrics = _retrieval_scores(examples, encoder, tokenizer, task, target.train_languages[0], target.eval_languages)
    else:
        model = trained.models[0]
        compatible(model.task, task)
        model = TaskModel(model.encoder, model.head, task, model.reading)
        where = examples.eval_keys if examples.real else [(target.task, language, "test") for language in target.eval_languages]
        metrics = {key[1]: benchmark_score(task, evaluate(model, tokenizer, examples.get(*key), key[1]), examples.real) for key in where}
    return {**record, "scores": {language: m["score"] for language, m in metrics.items()}, "metrics": metrics}
