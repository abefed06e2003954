"""Intermediate tasks: the nine of Phang et al. 2020 (arXiv 2005.13013), SST-2 and SIQA
(COPA too, which XCOPA's protocol trains on), and XTREME's translate-train data as
multilingual intermediate tasks.

Hyperparameters: the paper's lr 1e-5 and effective batch 32 with 10% warmup; 2 epochs
with early stopping on dev is xitt's default (an assumption, stated in docs/tasks.md).
"""

from __future__ import annotations

from xitt.tasks import languages as L
from xitt.tasks.formats import Format, TaskInfo
from xitt.tasks.spec import Hyper, RealTask, Source, columns
from xitt.tasks.targets import NLI_LABELS, PARAPHRASE_LABELS, QA_HYPER

PHANG = "Phang et al. 2020"
EN = ("en",)
NLI_HUB = columns(text_a="premise", text_b="hypothesis", label="label")
NLI_RELEASE = columns(text_a="sentence1", text_b="sentence2", label="gold_label")  # MNLI/SNLI jsonl ("-": no gold)
SQUAD_LOCAL = "squad_json"


def _nli(name: str, hub: str, splits: tuple[tuple[str, str], ...], local: str, description: str,
         config: str | None = None) -> RealTask:
    return RealTask(
        name, TaskInfo(name, Format.PAIR_CLASSIFICATION, NLI_LABELS, "accuracy", "accuracy"), "intermediate", PHANG, EN,
        Source(hub, configs=(("en", config or ""),), columns=NLI_HUB, local_columns=NLI_RELEASE, splits=splits,
               local_example=local),
        description=description,
    )


def _choice(name: str, n: int, hub: str, cols, description: str, splits=None, local: str = "") -> RealTask:
    labels = tuple(f"choice{i}" for i in range(1, n + 1))
    return RealTask(
        name, TaskInfo(name, Format.MULTIPLE_CHOICE, labels, "accuracy", "accuracy"), "intermediate", PHANG, EN,
        Source(hub, configs=(("en", ""),), columns=cols, splits=splits or Source(None).splits,
               local_example=local or f'local("data/{name}/{{split}}.jsonl")  (the hub\'s columns)'),
        description=description,
    )


def _squad(name: str, hub: str, config: str, version: str, description: str) -> RealTask:
    return RealTask(
        name, TaskInfo(name, Format.QA, (), "em_f1", "squad_v2" if version.startswith("v2") else "squad_v1"),
        "intermediate", PHANG, EN,
        Source(hub, configs=(("en", config),), local_reader=SQUAD_LOCAL, splits=(("train", "train"), ("dev", "validation")),
               local_example=f'local("data/squad/{{split}}-{version}.json")'),
        QA_HYPER, description=description,
    )


INTERMEDIATES: tuple[RealTask, ...] = (
    _nli("mnli", "nyu-mll/multi_nli", (("train", "train"), ("dev", "validation_matched")),
         'local("data/mnli/multinli_1.0_{split}.jsonl")  (train, dev_matched)',
         "Multi-genre NLI (393k pairs)."),
    _nli("snli", "stanfordnlp/snli", Source(None).splits, 'local("data/snli/snli_1.0_{split}.jsonl")',
         "Stanford NLI; part of ANLI+."),
    _nli("anli", "facebook/anli",
         (("train", "train_r1+train_r2+train_r3"), ("dev", "dev_r1+dev_r2+dev_r3"), ("test", "test_r1+test_r2+test_r3")),
         'local("data/anli/{split}.jsonl")  (premise, hypothesis, label as the hub has them)',
         "Adversarial NLI, rounds 1 to 3; part of ANLI+."),
    RealTask(
        "anli_plus", TaskInfo("anli_plus", Format.PAIR_CLASSIFICATION, NLI_LABELS, "accuracy", "accuracy"), "intermediate", PHANG,
        EN, Source("facebook/anli", configs=(("en", ""),), columns=NLI_HUB,
                   splits=(("train", "train_r1+train_r2+train_r3"), ("dev", "dev_r1+dev_r2+dev_r3"))),
        parts=("anli", "mnli", "snli"),
        description="ANLI+: the training sets of ANLI (rounds 1-3), MNLI and SNLI together; dev is ANLI's.",
    ),
    RealTask(
        "qqp", TaskInfo("qqp", Format.PAIR_CLASSIFICATION, ("not_duplicate", "duplicate"), "accuracy", "accuracy"),
        "intermediate", PHANG, EN,
        Source("nyu-mll/glue", configs=(("en", "qqp"),), columns=columns(text_a="question1", text_b="question2", label="label"),
               local_example='local("data/qqp/{split}.tsv")  (GLUE QQP: question1, question2, is_duplicate)',
               local_columns=columns(text_a="question1", text_b="question2", label="is_duplicate")),
        description="Quora Question Pairs: are two questions duplicates?",
    ),
    _squad("squad_v1", "rajpurkar/squad", "plain_text", "v1.1", "SQuAD v1.1 extractive QA."),
    _squad("squad_v2", "rajpurkar/squad_v2", "squad_v2", "v2.0",
           "SQuAD v2.0: v1.1 plus unanswerable questions (empty answers)."),
    _choice("hellaswag", 4, "Rowan/hellaswag", columns(premise="ctx", question="=", choices="endings", label="label"),
            "Commonsense sentence completion (4 endings)."),
    _choice("commonsenseqa", 5, "tau/commonsense_qa",
            columns(premise="=", question="question", choices="choices.text", label="answerKey"),
            "Commonsense QA with 5 answers (labels A-E)."),
    _choice("cosmosqa", 4, "allenai/cosmos_qa",
            columns(premise="context", question="question", choices=("answer0", "answer1", "answer2", "answer3"),
                    label="label"),
            "Reading comprehension needing commonsense (4 answers)."),
    _choice("siqa", 3, "allenai/social_i_qa",
            columns(premise="context", question="question", choices=("answerA", "answerB", "answerC"), label="label",
                    label_base=1),
            "Social IQa: social commonsense (3 answers, labelled 1-3); XCOPA's first training stage.",
            splits=(("train", "train"), ("dev", "validation"))),
    _choice("copa", 2, "aps/super_glue",
            columns(premise="premise", question="question", choices=("choice1", "choice2"), label="label"),
            "COPA (English): XCOPA's second training stage.",
            local='local("data/copa/{split}.jsonl")  (SuperGLUE COPA jsonl)'),
    RealTask(
        "ccg", TaskInfo("ccg", Format.TAGGING, (), "accuracy", "token_accuracy"), "intermediate", PHANG, EN,
        Source(None, reader="conll", columns=columns(tokens="tokens", tags="tags"),
               local_example='local("data/ccg/ccg.{split}")  (one "token<TAB>supertag" per line, a blank '
                             'line between sentences, from CCGbank; train, dev, test)'),
        open_labels=True,
        description="CCG supertagging (CCGbank, licensed by the LDC, so no hub copy); the tag set is the "
                    "training split's supertags.",
    ),
    RealTask(
        "sst2", TaskInfo("sst2", Format.CLASSIFICATION, ("negative", "positive"), "accuracy", "accuracy"), "intermediate",
        "GLUE", EN,
        Source("nyu-mll/glue", configs=(("en", "sst2"),), columns=columns(text="sentence", label="label"),
               local_example='local("data/sst2/{split}.tsv")  (GLUE SST-2: sentence, label)'),
        description="Stanford Sentiment Treebank, binary.",
    ),
    # --- multilingual: XTREME's translate-train data ------------------------------------------------
    RealTask(
        "xnli_translate_train", TaskInfo("xnli_translate_train", Format.PAIR_CLASSIFICATION, NLI_LABELS, "accuracy", "accuracy"),
        "intermediate", "translate-train", L.XNLI,
        Source("facebook/xnli", configs=tuple((lang, lang) for lang in L.XNLI), columns=NLI_HUB,
               local_columns=columns(text_a="premise", text_b="hypo", label="label",
                                     aliases={"contradictory": "contradiction"}),
               local_example='local("data/xnli-mt/multinli.train.{language}.tsv")  (XNLI-MT 1.0: premise, hypo, label)'),
        description="MNLI's training set machine-translated into XNLI's languages (en is MNLI itself).",
    ),
    RealTask(
        "pawsx_translate_train", TaskInfo("pawsx_translate_train", Format.PAIR_CLASSIFICATION, PARAPHRASE_LABELS,
                                          "accuracy", "accuracy"),
        "intermediate", "translate-train", L.PAWSX,
        Source("google-research-datasets/paws-x", configs=tuple((lang, lang) for lang in L.PAWSX),
               columns=columns(text_a="sentence1", text_b="sentence2", label="label"),
               local_example='local("data/pawsx/{language}/translated_train.tsv")  (en: train.tsv)',
               original_file=("translated_train", "train")),
        Hyper(epochs=5),
        description="PAWS's training set machine-translated (the hub's train split of each language).",
    ),
    RealTask(
        "squad_translate_train", TaskInfo("squad_translate_train", Format.QA, (), "em_f1", "squad_v1"), "intermediate",
        "translate-train", L.SQUAD_TRANSLATE_TRAIN,
        Source(None, reader=SQUAD_LOCAL, splits=(("train", "train"),),  # translated training data only: no dev set
               local_example='local("data/squad-tt/squad.translate.train.en-{language}.json")  (XTREME\'s '
                             'download_data.sh; answers re-located in the translation)'),
        QA_HYPER,
        description="SQuAD v1.1 training set machine-translated by XTREME; no hub copy.",
    ),
)
