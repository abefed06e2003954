"""The target tasks of XTREME-R (arXiv 2104.07412) and XTREME (arXiv 2003.11080).

Each entry says where the data is on the hub and on disk, how its columns map onto our
schema, and the benchmark's protocol: which English data a target trains on, which split
it is scored on, and how the benchmark averages. Hyperparameters follow jiant's XTREME
recipe (lr 1e-5, effective batch 32, 10% warmup, early stopping on dev).
"""

from __future__ import annotations

from xitt.tasks import languages as L
from xitt.tasks.formats import Format, TaskInfo
from xitt.tasks.spec import IDENTITY, Hyper, Protocol, RealTask, Source, columns

NLI_LABELS = ("entailment", "neutral", "contradiction")
PARAPHRASE_LABELS = ("different", "paraphrase")
NER_LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")  # WikiANN's order on the hub
UPOS_LABELS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
               "PUNCT", "SCONJ", "SYM", "VERB", "X")  # the hub's order (google/xtreme udpos)

QA_HYPER = Hyper(epochs=2, max_length=384)
RETRIEVAL_HYPER = Hyper(epochs=0, max_length=512, early_stopping=False)
# XTREME-R's Tatoeba and LAReQA score a model trained on SQuAD v1.1: XQuAD's 2 epochs of it
SQUAD_TRAINED_RETRIEVAL_HYPER = Hyper(epochs=2, max_length=512, early_stopping=False)
MIDDLE_LAYER = ("mean-pooled hidden states of XTREME's layer (score_retrieval.retrieval_layer: 8 of 12; "
                "14 of 24 for Tatoeba, 20 of 24 for BUCC), cosine similarity")
QA_SCORE = "exact match and F1 per language; the benchmark score is their mean, averaged over languages"


def _same(languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((lang, lang) for lang in languages)


def _configs(languages: tuple[str, ...], pattern: str, codes: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((lang, pattern.format(code=(codes or {}).get(lang, lang))) for lang in languages)


def _qa(name: str, languages: tuple[str, ...], source: Source, train_on: tuple[str, ...], note: str,
        description: str, dev_split: str = "dev", scorer: str = "squad_v1") -> RealTask:
    return RealTask(name, TaskInfo(name, Format.QA, (), "em_f1", scorer), "target", "XTREME-R", languages, source, QA_HYPER,
                    Protocol(train_on, dev_split=dev_split, score=QA_SCORE, note=note), description=description)


TARGETS: tuple[RealTask, ...] = (
    RealTask(
        "xnli", TaskInfo("xnli", Format.PAIR_CLASSIFICATION, NLI_LABELS, "accuracy", "accuracy"), "target", "XTREME-R",
        L.XNLI,
        Source("facebook/xnli", configs=_same(L.XNLI),
               columns=columns(text_a="premise", text_b="hypothesis", label="label"),
               local_columns=columns(text_a="sentence1", text_b="sentence2", label="gold_label", language="language"),
               local_example='local("data/xnli/xnli.{split}.tsv")  (XNLI 1.0 tsv or jsonl, every language in one '
                             'file: sentence1, sentence2, gold_label, language)'),
        Hyper(epochs=2),
        Protocol(("mnli",), note="trains on MNLI (English), evaluated zero-shot on XNLI test"),
        description="Cross-lingual NLI: MNLI's genres, professionally translated dev and test sets.",
    ),
    RealTask(
        "pawsx", TaskInfo("pawsx", Format.PAIR_CLASSIFICATION, PARAPHRASE_LABELS, "accuracy", "accuracy"), "target", "XTREME",
        L.PAWSX,
        Source("google-research-datasets/paws-x", configs=_same(L.PAWSX),
               columns=columns(text_a="sentence1", text_b="sentence2", label="label"),
               local_example='local("data/pawsx/{language}/{split}.tsv")  (x-final: train, dev_2k, test_2k)'),
        Hyper(epochs=5),
        Protocol(("pawsx",), note="trains on the English PAWS train split"),
        description="Paraphrase adversaries from word scrambling, translated.",
    ),
    RealTask(
        "xcopa", TaskInfo("xcopa", Format.MULTIPLE_CHOICE, ("choice1", "choice2"), "accuracy", "accuracy"), "target", "XTREME-R",
        L.XCOPA,
        Source("cambridgeltl/xcopa", configs=_same(L.XCOPA),
               columns=columns(premise="premise", question="question", choices=("choice1", "choice2"), label="label"),
               splits=(("dev", "validation"), ("test", "test")),
               local_example='local("data/xcopa/{language}/{split}.{language}.jsonl")  (val, test)'),
        Hyper(epochs=2, max_length=256),
        Protocol(("siqa", "copa"), note="XTREME-R: trains on SIQA, then on COPA (English), then scored on XCOPA"),
        description="Causal commonsense reasoning: COPA translated into 11 languages.",
    ),
    RealTask(
        "udpos", TaskInfo("udpos", Format.TAGGING, UPOS_LABELS, "f1", "upos_seqeval"), "target", "XTREME-R",
        L.UDPOS,
        Source("google/xtreme", configs=_configs(L.UDPOS_XTREME, "udpos.{code}", L.UDPOS_NAMES),
               columns=columns(tokens="tokens", tags="pos_tags"), codes=tuple(L.UDPOS_NAMES.items()),
               local_reader="conllu", local_columns=columns(tokens="tokens", tags="tags"),
               local_example='local("data/ud/{language}-ud-{split}.conllu")  (Universal Dependencies v2.5 CoNLL-U)'),
        Hyper(epochs=10),
        Protocol(("udpos",), note="trains on English UD (EWT and friends); the hub copy holds XTREME's 33 "
                                  "languages, XTREME-R's lt, pl, ro, uk, wo need local CoNLL-U files"),
        description="Universal POS tags (17 UPOS) from Universal Dependencies; XTREME's number is seqeval F1 "
                    "over the UPOS sequences, reported with token accuracy beside it.",
    ),
    RealTask(
        "panx", TaskInfo("panx", Format.TAGGING, NER_LABELS, "f1", "seqeval"), "target", "XTREME-R",
        L.PANX,
        Source("unimelb-nlp/wikiann", configs=_same(L.PANX), columns=columns(tokens="tokens", tags="ner_tags"),
               local_reader="conll", local_columns=columns(tokens="tokens", tags="tags"),
               local_example='local("data/panx/{language}.{split}")  (XTREME\'s "lang:token<TAB>BIO" files: '
                             'train, dev, test)'),
        Hyper(epochs=10),
        Protocol(("panx",), score="entity-level F1 (seqeval) averaged over languages"),
        description="WikiANN named entities (PER, ORG, LOC) with Rahimi et al.'s balanced splits.",
    ),
    _qa("xquad", L.XQUAD, Source("google/xquad", configs=_configs(L.XQUAD, "xquad.{code}"), local_reader="squad_json",
                                 splits=(("test", "validation"),),
                                 local_example='local("data/xquad/xquad.{language}.json")  (SQuAD v1.1 JSON)'),
        ("squad_v1",), "trains on SQuAD v1.1; XQuAD has only a test set",
        "SQuAD v1.1 dev paragraphs professionally translated into 11 languages."),
    _qa("mlqa", L.MLQA, Source("facebook/mlqa", configs=_configs(L.MLQA, "mlqa.{code}.{code}"), local_reader="squad_json",
                               splits=(("dev", "validation"), ("test", "test")),
                               local_example='local("data/mlqa/{split}/{split}-context-{language}-question-{language}'
                                             '.json")'),
        ("squad_v1",), "trains on SQuAD v1.1; context and question in the same language",
        "Multilingual QA over parallel Wikipedia sentences.", scorer="mlqa"),
    _qa("tydiqa", L.TYDIQA,
        Source("google-research-datasets/tydiqa", configs=_configs(L.TYDIQA, "secondary_task"),
               columns=columns(language="id"), language_values=tuple(L.TYDIQA_NAMES.items()),
               local_reader="squad_json", splits=(("train", "train"), ("test", "validation")),
               local_example='local("data/tydiqa/tydiqa-goldp-v1.1-{split}.json")  (train, dev; every language '
                             'in one file, told apart by the id prefix)'),
        ("tydiqa",), "gold passage task; trains on the English training split; the dev set is the test set",
        "Typologically diverse QA, gold-passage version.", dev_split=""),
    RealTask(
        "tatoeba", TaskInfo("tatoeba", Format.RETRIEVAL, (), "retrieval_accuracy", "tatoeba"), "target", "XTREME-R",
        L.TATOEBA,
        Source("google/xtreme", reader="rows", configs=_configs(L.TATOEBA, "tatoeba.{code}", L.TATOEBA_CODES),
               columns=columns(query="target_sentence", candidate="source_sentence"),  # English searches
               codes=tuple(L.TATOEBA_CODES.items()), splits=(("test", "validation"),),
               local_reader="tatoeba", local_columns=IDENTITY,
               local_example='local("data/tatoeba/tatoeba.{code}-eng")  (the aligned pair '
                             'tatoeba.{code}-eng.{code} and tatoeba.{code}-eng.eng)'),
        SQUAD_TRAINED_RETRIEVAL_HYPER,
        Protocol(("squad_v1",), dev_split="", representation=MIDDLE_LAYER,
                 score="accuracy of the nearest English sentence, averaged over languages",
                 note="XTREME-R scores the model after SQuAD v1.1 training; XTREME scored it with no "
                      "training at all (set no target training to reproduce XTREME)"),
        description="Sentence retrieval: find the English translation of each sentence among 1,000.",
        other_protocols=(("XTREME", Protocol((), dev_split="", representation=MIDDLE_LAYER,
                                             score="accuracy of the nearest English sentence, averaged over languages",
                                             note="XTREME: no training, the pretrained encoder's states")),),
    ),
    RealTask(
        "bucc", TaskInfo("bucc", Format.RETRIEVAL, (), "retrieval_f1", "bucc"), "target", "XTREME",
        L.BUCC,
        Source("google/xtreme", reader="rows", configs=_configs(L.BUCC, "bucc18.{code}"),
               columns=columns(query="source_sentence", candidate="target_sentence"),
               splits=(("dev", "validation"), ("test", "test")), local_reader="bucc", local_columns=IDENTITY,
               local_example='local("data/bucc2018/{language}-en.{split}")  (BUCC 2018 release: '
                             '{language}-en.{split}.{language}, .en and .gold; split training or sample)'),
        RETRIEVAL_HYPER,
        Protocol((), dev_split="dev", representation=MIDDLE_LAYER,
                 score="F1 of mined parallel pairs (threshold tuned on the dev split)",
                 note="no training: the encoder's states are scored directly"),
        description="Mining parallel sentences from comparable corpora.",
    ),
    RealTask(
        "lareqa", TaskInfo("lareqa", Format.RETRIEVAL, (), "map@20", "map@20"), "target", "XTREME-R",
        L.LAREQA,
        Source("google-research-datasets/xquad_r", reader="lareqa", configs=_same(L.LAREQA),
               splits=(("test", "validation"),),
               local_example='local("data/lareqa/xquad-r/{language}.json")  (XQuAD-R JSON with sentences)'),
        SQUAD_TRAINED_RETRIEVAL_HYPER,
        Protocol(("squad_v1",), dev_split="", representation="mean-pooled final layer of a dual encoder, cosine similarity",
                 score="mean average precision at 20 over the pool of every language's answer sentences",
                 note="XTREME-R fine-tunes a dual encoder on SQuAD v1.1 (question, answer sentence) pairs",
                 objective="dual_encoder"),
        description="Language-agnostic answer retrieval over XQuAD-R.",
    ),
    RealTask(
        "mewsli_x", TaskInfo("mewsli_x", Format.RETRIEVAL, (), "map@20", "map@20"), "target", "XTREME-R",
        L.MEWSLI_X,
        Source(None, reader="mewsli_x", splits=(("train", "train"), ("dev", "dev"), ("test", "test")),
               local_example='local("data/mewsli-x/dataset")  (the directory that get-mewsli-x.sh makes, '
                             'holding wikinews_mentions-{dev,test}.jsonl, candidate_set_entities.jsonl and '
                             'wikipedia_pairs-train.jsonl)'),
        RETRIEVAL_HYPER,
        Protocol(("mewsli_x",), dev_split="", representation="mean-pooled final layer of a dual encoder, cosine similarity",
                 score="mean average precision at 20 of the gold entity among the candidate entities",
                 note="trains a dual encoder on English Wikipedia mention-entity pairs (wikipedia_pairs-train); "
                      "no hub copy (built from dumps)",
                 objective="dual_encoder"),
        description="Entity linking of news mentions to English Wikidata descriptions, as retrieval.",
    ),
)
