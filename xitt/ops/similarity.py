"""Similarity steps: one step per measure computes the whole intermediate x target matrix.

Every result is ``{"intermediates", "targets", "values": {inter: {target: v}}, "kind":
"similarity", "measure", "direction": "similarity" | "distance", "range": [low, high]}``
(None for an unbounded side), so the correlation step can give every measure one sign.
Model-level measures that read intermediate-trained encoders average over seeds.
"""

from __future__ import annotations

from xitt.engine.registry import StepContext, op
from xitt.ops.libraries import MEASURE_LIBRARIES
from xitt.errors import UserError
from xitt.ops.taskdata import HELPERS


def _examples(data, spec: dict, samples: int) -> list[dict]:
    """The first ``samples`` examples of a task (or mixture) in each of its languages: its
    training data, or a target's evaluation data where it has none (``taskdata``)."""
    from xitt.ops.taskdata import spec_examples

    return spec_examples(data, spec, samples)


def _texts(data, spec: dict, samples: int) -> list[str]:
    """The input texts of ``_examples``."""
    from xitt.tasks.formats import example_text

    return [example_text(e) for e in _examples(data, spec, samples)]


def _data(ctx: StepContext):
    """The study's examples: the world's, or its real tasks' load steps."""
    from xitt.ops.taskdata import examples_of

    return examples_of(ctx.inputs)


def _matrix(measure: str, params, values) -> dict:
    """The result every similarity step returns (see the module docstring)."""
    import numpy as np

    from xitt.measures import kind_of

    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).all():
        raise UserError(
            f"similarity measure {measure} gave non-finite values (e.g. two tasks with no words in common)",
            hint="for vocabulary divergences set `smoothing: 1e-6`; otherwise pick another measure",
        )
    rows, columns = params["intermediates"], params["targets"]
    return {
        "intermediates": [r["label"] for r in rows],
        "targets": [c["label"] for c in columns],
        "values": {r["label"]: {c["label"]: float(values[i][j]) for j, c in enumerate(columns)} for i, r in enumerate(rows)},
        "kind": "similarity",
        "measure": measure,
        **kind_of(measure, dict(params)).to_json(),
    }


def _task(data, spec: dict, who: str):
    """The task's info; a clear error for mixtures and formats a model-level measure cannot read."""
    if "tasks" in spec:
        raise UserError(f"{who} needs one task with one label set, and {spec['label']} is a mixture", hint="use logme, h_score or cka for mixtures")
    name = spec["task"]
    task = data.info(name)
    if task.format.value not in ("classification", "pair_classification", "tagging"):
        raise UserError(f"{who} needs labelled classification or tagging data, and task {name} is {task.format.value}")
    return task


def _intermediate_models(ctx: StepContext) -> dict[str, list]:
    """Intermediate label -> its trained encoder artifacts, one per seed (compiler order)."""
    artifacts = list(ctx.inputs["intermediate_models"])
    seeds = len(ctx.params["seeds"])
    return {spec["label"]: artifacts[i * seeds : (i + 1) * seeds] for i, spec in enumerate(ctx.params["intermediates"])}


def _finetuned(ctx: StepContext, device, spec: dict, examples: list[dict]):
    """The pretrained encoder fine-tuned (with a fresh head) on ``examples`` of one task."""
    from xitt.models.finetune import TrainSettings, train_task
    from xitt.ops.runtime import load_encoder_artifact

    p = ctx.params
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    settings = TrainSettings(lr=p["lr"], epochs=p["epochs"], batch=p["batch"], seed=0)
    return train_task(encoder, tokenizer, _task(_data(ctx), spec, ctx.step_id), examples, settings), tokenizer


@op("similarity.text_embedding", helpers=[_data, _texts, _examples, _matrix, *HELPERS], libraries=MEASURE_LIBRARIES)
def text_embedding(ctx: StepContext) -> dict:
    import numpy as np

    from xitt.measures.text_embedding import cosine_matrix, task_vector
    from xitt.models.embed import embed_texts
    from xitt.ops.runtime import load_encoder_artifact, setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
    data = _data(ctx)
    everything = [*p["intermediates"], *p["targets"]]
    vectors = []
    for done, spec in enumerate(everything):
        texts = _texts(data, spec, p["samples"])
        vectors.append(task_vector(embed_texts(encoder, tokenizer, texts, pool=p["pool"], layer=p["layer"])))
        ctx.progress(done + 1, len(everything), {})
    vectors = np.stack(vectors)
    split = len(p["intermediates"])
    return _matrix("text_embedding", p, cosine_matrix(vectors[:split], vectors[split:]))


@op("similarity.sentence_embedding", helpers=[_data, _texts, _examples, _matrix, *HELPERS], libraries=MEASURE_LIBRARIES)
def sentence_embedding(ctx: StepContext) -> dict:
    """SEmb: mean unit-length sentence vector of each task from any encoder; cosine."""
    import numpy as np

    from xitt.measures.sentence_embedding import STUDY_ENCODER, load_sentence_encoder, pooling_of, task_vector
    from xitt.measures.text_embedding import cosine_matrix
    from xitt.models.embed import embed_texts
    from xitt.ops.runtime import load_encoder_artifact, setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    if p["model"] == STUDY_ENCODER:
        encoder, tokenizer = load_encoder_artifact(ctx.inputs["encoder"], device)
        pool = "mean" if p["pool"] == "auto" else p["pool"]
    else:
        try:
            encoder, tokenizer, folder = load_sentence_encoder(p["model"], device)
        except FileNotFoundError as error:
            raise UserError(f"similarity {ctx.step_id}: {error}", hint="give `model:` a folder with config.json and weights (e.g. a saved sentence-transformers model)") from None
        pool = pooling_of(folder, p["pool"])
        ctx.info["sentence_encoder"] = str(folder)
    data = _data(ctx)
    everything = [*p["intermediates"], *p["targets"]]
    vectors = []
    for done, spec in enumerate(everything):
        texts = _texts(data, spec, p["samples"])
        vectors.append(task_vector(embed_texts(encoder, tokenizer, texts, pool=pool)))
        ctx.progress(done + 1, len(everything), {})
    vectors = np.stack(vectors)
    split = len(p["intermediates"])
    return _matrix("sentence_embedding", p, cosine_matrix(vectors[:split], vectors[split:]))


@op("similarity.vocabulary", helpers=[_data, _texts, _examples, _matrix, *HELPERS], libraries=MEASURE_LIBRARIES)
def vocabulary(ctx: StepContext) -> dict:
    """Word or subword distributions of the whole training split of each task."""
    from collections import Counter

    from xitt.measures.vocabulary import compare, count_matrices, word_counts

    p = ctx.params
    data = _data(ctx)
    samples = 1_000_000_000  # the whole training split: counting is cheap
    if p["unit"] == "subwords":
        from xitt.models.tokenizer import load_tokenizer
        from xitt.ops.runtime import TOKENIZER_FILE

        tokenizer = load_tokenizer(ctx.inputs["encoder"].file(TOKENIZER_FILE))

        def count(texts: list[str]) -> Counter:
            ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
            return Counter(str(i) for row in ids for i in row)
    else:
        count = word_counts
    counts = {s["label"]: count(_texts(data, s, samples)) for s in [*p["intermediates"], *p["targets"]]}
    rows, columns = count_matrices([counts[s["label"]] for s in p["intermediates"]], [counts[s["label"]] for s in p["targets"]])
    values = compare(p["measure"], rows, columns, top_k=p["top_k"], alpha=p["alpha"], smoothing=p["smoothing"])
    return _matrix("vocabulary", p, values)


@op("similarity.size", helpers=[_data, _texts, _examples, _matrix, *HELPERS], libraries=MEASURE_LIBRARIES)
def size(ctx: StepContext) -> dict:
    """Training-set sizes (all of a task's languages) and type-token ratios."""
    import numpy as np

    from xitt.measures.size import ratio_matrix, size_matrix, ttr_distance, type_token_ratio
    from xitt.measures.vocabulary import word_counts

    p = ctx.params
    data = _data(ctx)
    everything = [*p["intermediates"], *p["targets"]]
    texts = [_texts(data, s, 1_000_000_000) for s in everything]
    split = len(p["intermediates"])
    if p["measure"] == "ttr":
        ratios = np.array([type_token_ratio(word_counts(t)) for t in texts])
        values = ttr_distance(ratios[:split], ratios[split:])
    else:
        sizes = np.array([len(t) for t in texts])
        values = (size_matrix if p["measure"] == "size" else ratio_matrix)(sizes[:split], sizes[split:])
    return _matrix("size", p, values)


def _language_shares(data, spec: dict, evaluation: bool = False) -> dict[str, float]:
    """Language -> number of examples in it over a task's (or mixture's) parts: the mix's
    weights. The examples are those the text measures read (``taskdata``), or with
    ``evaluation`` a target's test data in its evaluation languages."""
    from xitt.ops.taskdata import _spec_keys

    parts = [(part["task"], part["languages"]) for part in spec["tasks"]] if "tasks" in spec else [(spec["task"], spec["languages"])]
    shares: dict[str, float] = {}
    for task, languages in parts:
        if evaluation:
            keys = [k for k in data.eval_keys if k[0] == task] or [(task, lang, "test") for lang in spec["eval_languages"]]
        else:
            keys = _spec_keys(data, spec, task, languages)
        for key in keys:
            shares[key[1]] = shares.get(key[1], 0.0) + len(data.get(*key))
    return shares


@op("similarity.typology", helpers=[_data, _language_shares, _matrix, *HELPERS], libraries=(*MEASURE_LIBRARIES, "urielplus"))
def typology(ctx: StepContext) -> dict:
    """Language distance of each intermediate's language mix to each target's, by data share."""
    from xitt import world
    from xitt.measures.typology import mixture_distances, uriel_distances, world_distances

    p = ctx.params
    data = _data(ctx)
    rows = [_language_shares(data, s) for s in p["intermediates"]]
    columns = [_language_shares(data, s, p["target_languages"] == "eval") for s in p["targets"]]
    languages = sorted({code for mix in [*rows, *columns] for code in mix})
    try:
        if p["source"] == "uriel":
            pairwise = uriel_distances(p["features"], languages)
        elif data.world is None:
            raise ValueError("a study without the toy world has no world typology")
        else:
            info = world.load_info(data.world)
            typology_vectors = {language["code"]: language["typology"] for language in info["languages"]}
            pairwise = world_distances(typology_vectors, info["typology_features"], p["features"], languages)
    except ValueError as error:
        hint = ("the built-in world's languages are synthetic: use `source: world`" if p["source"] == "uriel"
                else "real languages: use `source: uriel`" if data.world is None
                else "use features: syntactic, morphological, script, phonological or featural")
        raise UserError(f"similarity typology: {error}", hint=hint) from None
    return _matrix("typology", p, mixture_distances(rows, columns, languages, pairwise))


@op("similarity.task_embedding", helpers=[_data, _examples, _matrix, _task, _finetuned, *HELPERS], libraries=MEASURE_LIBRARIES)
def task_embedding(ctx: StepContext) -> dict:
    """Each task: fine-tune the pretrained encoder on ``samples`` examples per language,
    then the Fisher diagonal on the same examples; cosine of the diagonals."""
    import numpy as np

    from xitt.measures.task_embedding import fisher_diagonal
    from xitt.measures.text_embedding import cosine_matrix
    from xitt.ops.runtime import setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    data = _data(ctx)
    everything = [*p["intermediates"], *p["targets"]]
    vectors = []
    for done, spec in enumerate(everything):
        examples = _examples(data, spec, p["samples"])
        model, tokenizer = _finetuned(ctx, device, spec, examples)
        vectors.append(fisher_diagonal(model, tokenizer, examples, p["parameters"]))
        ctx.progress(done + 1, len(everything), {})
    vectors = np.stack(vectors)
    split = len(p["intermediates"])
    return _matrix("task_embedding", p, cosine_matrix(vectors[:split], vectors[split:]))


def _seed_averaged(ctx: StepContext, score) -> list[list[float]]:
    """Mean over seeds of ``score(encoder, tokenizer, intermediate, target_index)`` for every pair,
    loading each intermediate-trained encoder once."""
    import numpy as np

    from xitt.ops.runtime import load_encoder_artifact, setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    models = _intermediate_models(ctx)
    values = np.zeros((len(p["intermediates"]), len(p["targets"])))
    total, done = sum(len(v) for v in models.values()), 0
    for i, spec in enumerate(p["intermediates"]):
        for artifact in models[spec["label"]]:
            encoder, tokenizer = load_encoder_artifact(artifact, device)
            values[i] += [score(encoder, tokenizer, spec, j) for j in range(len(p["targets"]))]
            done += 1
            ctx.progress(done, total, {})
        values[i] /= len(models[spec["label"]])
    return values


def _target_data(ctx: StepContext) -> list[tuple]:
    """(task info, examples) of every target: ``samples`` training examples per language."""
    p = ctx.params
    data = _data(ctx)
    return [(_task(data, s, ctx.step_id), _examples(data, s, p["samples"])) for s in p["targets"]]


_MODEL_HELPERS = [_data, *HELPERS, _examples, _matrix, _task, _intermediate_models, _seed_averaged, _target_data]


def _score_target_features(ctx: StepContext, name: str, score) -> dict:
    """``score(features, labels)`` of each intermediate-trained encoder on each target's
    labelled inputs, seed-averaged: the shape LogME and H-score share."""
    from xitt.measures.features import labelled_features

    targets = _target_data(ctx)
    pool = ctx.params["pool"]
    values = _seed_averaged(ctx, lambda enc, tok, spec, j: score(*labelled_features(enc, tok, targets[j][0], targets[j][1], pool)))
    return _matrix(name, ctx.params, values)


@op("similarity.logme", helpers=[*_MODEL_HELPERS, _score_target_features], libraries=MEASURE_LIBRARIES)
def logme(ctx: StepContext) -> dict:
    """LogME of each intermediate-trained encoder's features on each target's labels."""
    from xitt.measures.logme import logme as score

    return _score_target_features(ctx, "logme", score)


@op("similarity.h_score", helpers=[*_MODEL_HELPERS, _score_target_features], libraries=MEASURE_LIBRARIES)
def h_score(ctx: StepContext) -> dict:
    """H-score of each intermediate-trained encoder's features on each target's labels."""
    from xitt.measures.transferability import h_score as score

    return _score_target_features(ctx, "h_score", score)


@op("similarity.leep", helpers=_MODEL_HELPERS, libraries=MEASURE_LIBRARIES)
def leep(ctx: StepContext) -> dict:
    """LEEP of a source head refitted on the intermediate task (a linear probe on the
    intermediate-trained encoder's standardised features), on each target's labels."""
    from xitt.measures.features import labelled_features
    from xitt.measures.transferability import fit_probe, leep as score, probe_probabilities

    p = ctx.params
    data = _data(ctx)
    targets = _target_data(ctx)

    def per_source(enc, tok, spec, j):
        # the probe depends only on (encoder, intermediate): fit it once per encoder
        key = (spec["label"], id(enc))
        if key not in cache:  # the cache holds ``enc``, so its id cannot be reused meanwhile
            cache.clear()
            source = _task(data, spec, ctx.step_id)
            f, y = labelled_features(enc, tok, source, _examples(data, spec, p["samples"]), p["pool"])
            mean, scale = f.mean(0), f.std(0) + 1e-8
            cache[key] = (fit_probe((f - mean) / scale, y, source.num_labels, p["l2"]), mean, scale, enc)
        weights, mean, scale, _ = cache[key]
        f, y = labelled_features(enc, tok, targets[j][0], targets[j][1], p["pool"])
        return score(probe_probabilities(weights, (f - mean) / scale), y)

    cache: dict = {}
    return _matrix("leep", p, _seed_averaged(ctx, per_source))


@op("similarity.cka", helpers=[*_MODEL_HELPERS, _finetuned], libraries=MEASURE_LIBRARIES)
def cka(ctx: StepContext) -> dict:
    """Linear CKA between what an intermediate-trained encoder and an encoder fine-tuned on
    the target (here, ``samples`` examples for ``epochs``) make of the target's inputs."""
    import numpy as np

    from xitt.measures.cka import linear_cka
    from xitt.measures.features import labelled_features
    from xitt.ops.runtime import setup_torch

    p = ctx.params
    device = setup_torch(ctx)
    targets = _target_data(ctx)
    reference = []
    for spec, (task, examples) in zip(p["targets"], targets):
        model, tokenizer = _finetuned(ctx, device, spec, examples)
        reference.append(labelled_features(model.encoder, tokenizer, task, examples, p["pool"])[0])
    values = _seed_averaged(
        ctx, lambda enc, tok, spec, j: linear_cka(labelled_features(enc, tok, targets[j][0], targets[j][1], p["pool"])[0], reference[j])
    )
    return _matrix("cka", p, np.asarray(values))
