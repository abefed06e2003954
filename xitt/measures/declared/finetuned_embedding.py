"""Fine-tuned embedding: fine-tune the pretrained encoder on ``samples`` examples per
language of each task (a fresh head, ``epochs`` at ``lr``), then the mean of the fine-tuned
encoder's mean-pooled states over the same inputs; cosine between tasks.

Where TextEmb reads what the pretrained encoder makes of a task's inputs, this reads what
the encoder becomes once trained on the task: two tasks that pull the representation the
same way end up close (the representation-similarity view of Vu et al. 2020 §3, with the
tuning of TaskEmb, without the Fisher). Single labelled tasks only (classification, pairs,
tagging): a mixture or a QA target is the user's error, as for TaskEmb.
"""

from __future__ import annotations

from xitt.measures.declare import ENCODER, Measure, MeasureStep, embedding_cosines
from xitt.measures.kinds import similarity
from xitt.measures.params import PooledFineTuned


def compute(step: MeasureStep):
    from xitt.measures.text_embedding import task_vector
    from xitt.models.embed import embed_texts

    p = step.params

    def vector(spec):
        examples = step.examples(spec, p.samples)
        model, tokenizer = step.finetuned(spec, examples, p.lr, p.epochs, p.batch)
        return task_vector(embed_texts(model.encoder, tokenizer, step.texts(spec, p.samples), pool=p.pool))

    return embedding_cosines(step, vector)


MEASURE = Measure("finetuned_embedding", PooledFineTuned, compute, similarity(-1.0, 1.0), frozenset({ENCODER}))
