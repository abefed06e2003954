"""Similarity steps: one step per measure computes the whole intermediate x target matrix."""

from __future__ import annotations

from xitt.engine.registry import StepContext, op


def _texts(world_dir, task: str, languages, samples: int) -> list[str]:
    """The first ``samples`` training inputs of a task in each of its languages."""
    from xitt import world
    from xitt.tasks.formats import example_text

    texts = []
    for language in languages:
        texts.extend(example_text(e) for e in world.load_examples(world_dir, task, language, "train")[:samples])
    return texts


def _matrix(rows, columns, values) -> dict:
    return {
        "intermediates": [r["label"] for r in rows],
        "targets": [c["label"] for c in columns],
        "values": {r["label"]: {c["label"]: float(values[i][j]) for j, c in enumerate(columns)} for i, r in enumerate(rows)},
        "kind": "similarity",
    }


@op("similarity.text_embedding", helpers=[_texts, _matrix])
def text_embedding(ctx: StepContext) -> dict:
    import numpy as np

    from xitt.measures.text_embedding import cosine_matrix, task_vector
    from xitt.models.embed import embed_texts
    from xitt.ops.runtime import load_encoder_artifact, setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    world_dir = ctx.inputs["world"].path
    everything = [*p["intermediates"], *p["targets"]]
    vectors = []
    for done, spec in enumerate(everything):
        texts = _texts(world_dir, spec["task"], spec["languages"], p["samples"])
        vectors.append(task_vector(embed_texts(encoder, tokenizer, texts, pool=p["pool"], layer=p["layer"])))
        ctx.progress(done + 1, len(everything), {})
    vectors = np.stack(vectors)
    split = len(p["intermediates"])
    return _matrix(p["intermediates"], p["targets"], cosine_matrix(vectors[:split], vectors[split:]))


@op("similarity.vocabulary", helpers=[_texts, _matrix])
def vocabulary(ctx: StepContext) -> dict:
    from xitt.measures.vocabulary import similarity, word_counts

    p = ctx.params
    world_dir = ctx.inputs["world"].path
    samples = 1_000_000_000  # the whole training split: counting words is cheap
    counts = {s["label"]: word_counts(_texts(world_dir, s["task"], s["languages"], samples)) for s in [*p["intermediates"], *p["targets"]]}
    values = [[similarity(p["measure"], counts[r["label"]], counts[c["label"]], p["top_k"]) for c in p["targets"]] for r in p["intermediates"]]
    return _matrix(p["intermediates"], p["targets"], values)
