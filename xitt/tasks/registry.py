"""The registry of real tasks, looked up by name.

The language's checker asks `lookup(name)` and `names()`; the loader asks for a task's
source and columns. Nothing here reads data. `hub_task` registers any hub dataset given
by name with a column mapping (a custom intermediate task).
"""

from __future__ import annotations

from xitt.errors import UserError
from xitt.tasks.formats import Format, TaskInfo
from xitt.tasks.intermediates import INTERMEDIATES
from xitt.tasks.spec import ColumnMap, Hyper, RealTask, Source
from xitt.tasks.targets import TARGETS

ALIASES = {"wikiann": "panx", "pan_x": "panx", "paws_x": "pawsx", "squad": "squad_v1", "ud_pos": "udpos",
           "pos": "udpos", "tydiqa_goldp": "tydiqa", "bucc2018": "bucc", "xquad_r": "lareqa", "mewslix": "mewsli_x",
           "social_i_qa": "siqa", "cosmos_qa": "cosmosqa", "commonsense_qa": "commonsenseqa", "sst": "sst2",
           "anliplus": "anli_plus"}

# The metrics a study computes for a target (xitt/ops/training.py scores each).
SCORED_METRICS = ("accuracy", "f1", "em_f1", "retrieval_accuracy", "retrieval_f1", "map@20")

_TASKS: dict[str, RealTask] = {task.name: task for task in (*TARGETS, *INTERMEDIATES)}
_DEFAULT_METRIC = {Format.CLASSIFICATION: "accuracy", Format.PAIR_CLASSIFICATION: "accuracy",
                   Format.TAGGING: "accuracy", Format.QA: "em_f1", Format.MULTIPLE_CHOICE: "accuracy",
                   Format.RETRIEVAL: "retrieval_accuracy"}
# The scorer (models/scorers.py) of a hub_task by format, and by metric where the metric says more.
_DEFAULT_SCORER = {Format.CLASSIFICATION: "accuracy", Format.PAIR_CLASSIFICATION: "accuracy",
                   Format.TAGGING: "token_accuracy", Format.QA: "squad_v1", Format.MULTIPLE_CHOICE: "accuracy",
                   Format.RETRIEVAL: "tatoeba"}
_SCORER_OF_METRIC = {(Format.TAGGING, "f1"): "seqeval"}


def lookup(name: str) -> RealTask | None:
    """The registered task called `name` (or one of its aliases), None when there is none."""
    key = name.lower()
    return _TASKS.get(ALIASES.get(key, key))


def names(role: str | None = None) -> tuple[str, ...]:
    """Every registered task name (aliases not included), optionally only one role's."""
    return tuple(sorted(n for n, t in _TASKS.items() if role is None or t.role == role))


def get(name: str) -> RealTask:
    """Like `lookup`, but an unknown name is the user's error, with the known names."""
    task = lookup(name)
    if task is None:
        raise UserError(f"unknown task '{name}': it is not a registered real task",
                        hint=f"registered tasks: {', '.join(names())}; or register a hub dataset with hub_task")
    return task


def hub_task(name: str, hub_id: str, format: Format | str, column_map: ColumnMap, *, labels: tuple[str, ...] = (),
             configs: dict[str, str] | None = None, metric: str | None = None,
             splits: dict[str, str] | None = None, hyper: Hyper | None = None, register: bool = False) -> RealTask:
    """A task for any hub dataset, given by id, configs per language and a column mapping.

    With `register`, later `lookup(name)` finds it too (a name may not shadow a built-in).
    """
    fmt = Format(format)
    configs = configs or {"en": ""}
    source = Source(hub_id, configs=tuple(configs.items()), columns=column_map,
                    splits=tuple(splits.items()) if splits else Source(None).splits)
    metric = metric or _DEFAULT_METRIC[fmt]
    info = TaskInfo(name, fmt, tuple(labels), metric, _SCORER_OF_METRIC.get((fmt, metric), _DEFAULT_SCORER[fmt]))
    task = RealTask(name, info, "intermediate", "custom", tuple(configs), source, hyper or Hyper(),
                    description=f"hub dataset {hub_id}")
    if register:
        if name in _TASKS or name in ALIASES:
            raise UserError(f"task name '{name}' is already a registered task", hint="choose another name")
        _TASKS[name] = task
    return task


def scorer(name: str) -> str:
    """The scorer (a name in ``xitt/models/scorers.py``) that scores task ``name`` as its
    benchmark does; UserError for an unknown task."""
    return get(name).info.scorer


def stages(task: RealTask, benchmark: str | None = None) -> tuple[str, ...]:
    """The tasks a target trains on, in order (XCOPA: siqa, copa); an intermediate task
    trains on itself, a union (ANLI+) on its parts; empty for retrieval with no training."""
    protocol = task.protocol_for(benchmark)
    if protocol is None:
        return task.parts or (task.name,)
    return protocol.train_on


def train_languages(task: RealTask, benchmark: str | None = None) -> tuple[str, ...]:
    """The languages a target may be trained in: those every one of its training stages
    has (English for the benchmarks' zero-shot protocol); English when it trains nothing."""
    names_ = stages(task, benchmark)
    if not names_:
        return ("en",)
    shared = [lang for lang in get(names_[0]).languages if all(lang in get(n).languages for n in names_[1:])]
    return tuple(shared)


def selection_task(task: RealTask) -> str | None:
    """The task whose dev split selects the weights of `task`'s training (the zero-shot
    protocol: the English dev set), None when there is none to select on.

    An intermediate task selects on its own dev split (a union, ANLI+, on its own: ANLI's).
    A target selects on its own dev split where it has one in its training language (XNLI's
    English dev set, though it trains on MNLI), else on its last training stage's (XQuAD on
    SQuAD v1.1's dev set, XCOPA on COPA's); its protocol's empty `dev_split` says the
    benchmark selects nothing (TyDiQA-GoldP, whose dev set is its test set; retrieval).
    """
    protocol = task.protocol
    if protocol is None:
        return task.name if "dev" in dict(task.source.splits) else None
    if not protocol.dev_split or not protocol.train_on:
        return None
    if "dev" in dict(task.source.splits) and set(train_languages(task)) <= set(task.languages):
        return task.name
    last = get(protocol.train_on[-1])
    return last.name if "dev" in dict(last.source.splits) else None
