"""What a real task is: where its data lives, how its columns map onto our schema, and
the benchmark's protocol for it. Plain frozen dataclasses, so that a task definition is data
that the checker, the compiler and the docs can all read without loading anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xitt.tasks.formats import Format, TaskInfo

Role = Literal["target", "intermediate"]

# How a source is read. "rows" is any table (hub dataset, jsonl, tsv, parquet) mapped by
# `ColumnMap`; the others are structured release formats with a reader module each.
READERS = ("rows", "squad_json", "conll", "conllu", "tatoeba", "bucc", "lareqa", "mewsli_x")


@dataclass(frozen=True)
class ColumnMap:
    """How one source's columns become our schema's fields.

    `fields` maps a schema field to a source column; a tuple of columns makes a list
    (multiple-choice answers kept in separate columns), and `a.b` reads a nested field
    (CommonsenseQA's `choices.text`). A field given as `=text` is that constant text.
    `language` names a column that holds each row's language, for files that hold every
    language at once (XNLI's test tsv, TyDiQA's one training file); a row matches when the
    column equals the task's language value or starts with it followed by '-'.
    """

    fields: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    label_base: int = 0  # SIQA numbers its answers from 1
    aliases: tuple[tuple[str, str], ...] = ()  # XNLI-MT writes "contradictory"
    language: str | None = None

    def get(self, name: str) -> str | tuple[str, ...] | None:
        return dict(self.fields).get(name)


def columns(*, label_base: int = 0, aliases: dict[str, str] | None = None, language: str | None = None,
            **fields: str | tuple[str, ...]) -> ColumnMap:
    """A ColumnMap from keywords: `columns(text_a="premise", text_b="hypothesis", label="label")`."""
    return ColumnMap(tuple(fields.items()), label_base, tuple((aliases or {}).items()), language)


IDENTITY = ColumnMap()  # the source already uses our field names


@dataclass(frozen=True)
class Source:
    """Where a task's data comes from, on the hub and on disk.

    `configs` maps each language (ISO 639-1, as xitt writes languages) to the hub config
    name; a language absent from it has no hub copy (point `local(...)` at the files).
    `codes` maps a language to the task's own code for it (Tatoeba's `deu`, UD's
    `German`), which a local path may use as `{code}`. `splits` maps xitt's split names
    (train, dev, test) to the source's own.
    """

    hub_id: str | None
    reader: str = "rows"
    configs: tuple[tuple[str, str], ...] = ()
    columns: ColumnMap = IDENTITY
    splits: tuple[tuple[str, str], ...] = (("train", "train"), ("dev", "validation"), ("test", "test"))
    codes: tuple[tuple[str, str], ...] = ()
    language_values: tuple[tuple[str, str], ...] = ()  # value of `columns.language` per language
    local_example: str = ""  # a documented local path pattern, e.g. "data/xnli/xnli.{split}.tsv"
    local_reader: str | None = None  # the original release's format, when it differs from the hub's
    local_columns: ColumnMap | None = None  # the original release's column names, likewise
    # translate-train data: English is the untranslated original, whose file a release names
    # differently (PAWS-X's en/train.tsv beside de/translated_train.tsv): (written, English's)
    original_file: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        for reader in (self.reader, self.local_reader):
            if reader is not None and reader not in READERS:
                raise ValueError(f"unknown reader {reader!r}; known: {', '.join(READERS)}")

    @property
    def file_reader(self) -> str:
        return self.local_reader or self.reader

    @property
    def file_columns(self) -> ColumnMap:
        return self.local_columns or self.columns

    def config(self, language: str) -> str | None:
        return dict(self.configs).get(language)

    def split(self, split: str) -> str:
        return dict(self.splits).get(split, split)

    def code(self, language: str) -> str:
        return dict(self.codes).get(language, language)

    def language_value(self, language: str) -> str:
        return dict(self.language_values).get(language, language)


@dataclass(frozen=True)
class Hyper:
    """Fine-tuning hyperparameters (jiant's XTREME recipe unless a task says otherwise)."""

    lr: float = 1e-5
    batch: int = 32  # effective batch (gradient accumulation makes up the rest)
    epochs: float = 2
    max_length: int = 256
    warmup: float = 0.1  # share of the steps
    early_stopping: bool = True  # on the dev split's metric

    def to_json(self) -> dict:
        return {"lr": self.lr, "batch": self.batch, "epochs": self.epochs, "max_length": self.max_length,
                "warmup": self.warmup, "early_stopping": self.early_stopping}


@dataclass(frozen=True)
class Protocol:
    """How the benchmark trains and scores a target task.

    `train_on` lists the English training stages in order, as task names (XCOPA: SIQA
    then COPA); empty for tasks scored with no target training (BUCC, XTREME's Tatoeba).
    `representation` says what retrieval tasks score: mean-pooled hidden states of the
    layer XTREME reads (``models/score_retrieval.retrieval_layer``).
    """

    train_on: tuple[str, ...]
    train_split: str = "train"
    dev_split: str = "dev"
    eval_split: str = "test"
    score: str = "the metric averaged over the task's languages"
    representation: str | None = None
    note: str = ""
    objective: str = "task"  # "dual_encoder": the stages train a dual encoder with in-batch negatives (XTREME-R)


@dataclass(frozen=True)
class RealTask:
    """A registered benchmark or intermediate task."""

    name: str
    info: TaskInfo
    role: Role
    benchmark: str  # "XTREME-R", "XTREME", "Phang et al. 2020", "translate-train", "custom"
    languages: tuple[str, ...]
    source: Source
    hyper: Hyper = field(default_factory=Hyper)
    protocol: Protocol | None = None
    parts: tuple[str, ...] = ()  # a union of other tasks' training data (ANLI+)
    open_labels: bool = False  # labels come from the training data (CCG supertags)
    description: str = ""
    other_protocols: tuple[tuple[str, Protocol], ...] = ()  # another benchmark's protocol, by benchmark name

    def protocol_for(self, benchmark: str | None = None) -> Protocol | None:
        """The protocol of `benchmark` ("XTREME", "XTREME-R"), else the task's own."""
        return dict(self.other_protocols).get(benchmark or self.benchmark, self.protocol)

    @property
    def format(self) -> Format:
        return self.info.format

    @property
    def english_only(self) -> bool:
        return self.languages == ("en",)
