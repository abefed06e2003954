"""A dual encoder trained with in-batch negatives: XTREME-R's training for LAReQA (on SQuAD
v1.1 question-sentence pairs) and Mewsli-X (on Wikipedia mention-entity pairs).

As XTREME's ``run_retrieval_qa.py`` (``BertForSequenceRetrieval``): one encoder reads both
sides, each text becomes one L2-normalised vector, and the loss of a batch of B pairs is
the cross-entropy of each query against the B candidates, the logits being 100 x cosine
(``logit_scale``), the right one on the diagonal. Vectors here are the mean-pooled last
layer, which is what xitt scores these tasks on (``score_retrieval.evaluate_ranking``);
XTREME-R's baseline pools ``<s>`` (a documented deviation, docs/tasks.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.device import model_device, use_best_attention
from xitt.models.embed import pooled
from xitt.models.encode import capacity, encode_texts
from xitt.models.loop import LoopResult, LoopSettings, Progress, epoch_batches, train
from xitt.models.params import TrainSettings
from xitt.tasks.formats import Format, TaskInfo

LOGIT_SCALE = 100.0  # run_retrieval_qa.py: logit_scale = 100.0
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def answer_sentence(context: str, start: int) -> str:
    """The sentence of ``context`` that holds character ``start``: the text between the
    sentence ends (``.``, ``!``, ``?`` and their CJK forms, then white space) around it."""
    begin = 0
    for match in _SENTENCE_END.finditer(context):
        if match.start() > start:
            return context[begin:match.start()]
        begin = match.end()
    return context[begin:]


def training_pairs(task: TaskInfo, examples: Sequence[dict]) -> list[tuple[str, str]]:
    """(query, candidate) texts to train on: a QA example gives its question and the
    sentence holding its answer followed by its paragraph (LAReQA's candidate, as
    ``utils_lareqa.py`` encodes it); retrieval examples give each query and the first
    candidate sharing its id (Mewsli-X's mention and entity)."""
    if task.format is Format.QA:
        return [(e["question"], answer_sentence(e["context"], e["answers"]["answer_start"][0]) + e["context"])
                for e in examples if e["answers"]["answer_start"]]
    if task.format is Format.RETRIEVAL:
        candidates: dict[str, str] = {}
        for e in examples:
            if e.get("side") == "candidate":
                candidates.setdefault(e["id"], e["text"] + e.get("context", ""))
        return [(e["text"], candidates[e["id"]]) for e in examples if e.get("side", "query") == "query" and e["id"] in candidates]
    raise ValueError(f"a {task.format.value} task gives no retrieval pairs to train a dual encoder on")


def in_batch_loss(queries: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of each query (B, d) over the batch's candidates (B, d), the right one
    on the diagonal; logits are ``LOGIT_SCALE`` x cosine."""
    q = torch.nn.functional.normalize(queries.float(), dim=-1)
    c = torch.nn.functional.normalize(candidates.float(), dim=-1)
    logits = LOGIT_SCALE * q @ c.T
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(q), device=logits.device))


def train_dual_encoder(encoder, tokenizer: PreTrainedTokenizerFast, pairs: Sequence[tuple[str, str]],
                       settings: TrainSettings, progress: Progress | None = None) -> LoopResult:
    """Train ``encoder`` (in place) as a dual encoder on ``pairs`` for ``settings.epochs``
    epochs of ``settings.batch`` pairs (the in-batch negatives); no dev selection."""
    if not pairs:
        raise ValueError("no (query, candidate) pairs to train a dual encoder on")
    device = model_device(encoder)
    use_best_attention(encoder, device)
    torch.manual_seed(settings.seed)
    length = min(settings.max_length, capacity(encoder.config))
    queries = encode_texts(tokenizer, [q for q, _ in pairs], length)
    candidates = encode_texts(tokenizer, [c for _, c in pairs], length)
    rng = np.random.default_rng(settings.seed)
    batches = epoch_batches(np.maximum(queries.lengths, candidates.lengths), settings.batch, settings.epochs, rng)

    def side(data, rows: np.ndarray) -> torch.Tensor:
        batch = data.batch(rows, device)
        return pooled(encoder(input_ids=batch.ids, attention_mask=batch.mask).last_hidden_state, batch.mask, "mean")

    def loss_of(rows: np.ndarray) -> torch.Tensor:
        return in_batch_loss(side(queries, rows), side(candidates, rows))

    return train(encoder, batches, loss_of, LoopSettings(settings.lr, settings.warmup, settings.accumulate), device, progress)
