"""Where the training and similarity ops find their examples: the toy world, or the
``task.load`` steps of a real study (inputs ``data``, training data, and ``eval``).

Both sources answer the same questions (a task's info; its examples in a language and
split), so the ops run one code path for the world and for real tasks. Artifacts are read
when first asked for and kept, since one op asks for the same data several times.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xitt.errors import UserError
from xitt.ops.tasks import EXAMPLES_FILE, INFO_FILE  # the writer of task.load's files names them
from xitt.study import Compared, Target, Task, Unit
from xitt.tasks.formats import Format, TaskInfo

Key = tuple[str, str, str]  # task, language, split


@dataclass
class Examples:
    """A study's examples by (task, language, split)."""

    world: Path | None = None
    artifacts: dict[Key, Any] = field(default_factory=dict)  # task.load artifacts of a real study
    train_keys: tuple[Key, ...] = ()  # the ``data`` input's keys, in the compiler's order
    eval_keys: tuple[Key, ...] = ()
    dev_keys: tuple[Key, ...] = ()  # the ``dev`` input's: the dev data that selects the weights
    _cache: dict[Key, list[dict]] = field(default_factory=dict)

    @property
    def real(self) -> bool:
        """Whether the step reads real tasks' load steps (the compiler gives them only to real tasks)."""
        return bool(self.artifacts)

    def info(self, task: str) -> TaskInfo:
        """The task's info: what its load step wrote, else the world's catalogue."""
        key = next((k for k in self.artifacts if k[0] == task), None)
        if key is None:
            from xitt.world.catalog import TASKS

            return TASKS[task]
        return TaskInfo.from_json(json.loads(self.artifacts[key].file(INFO_FILE).read_text(encoding="utf-8")))

    def has(self, task: str, language: str, split: str) -> bool:
        if (task, language, split) in self.artifacts:
            return True
        return self.world is not None and (self.world / "tasks" / task / language / f"{split}.jsonl").exists()

    def get(self, task: str, language: str, split: str) -> list[dict]:
        key = (task, language, split)
        if key not in self._cache:
            if key in self.artifacts:
                with self.artifacts[key].file(EXAMPLES_FILE).open(encoding="utf-8") as handle:
                    self._cache[key] = [json.loads(line) for line in handle if line.strip()]
            else:
                from xitt import world

                self._cache[key] = world.load_examples(self.world, task, language, split)
        return self._cache[key]


def examples_of(inputs: Mapping[str, Any]) -> Examples:
    """The examples a step's inputs offer: its ``data``/``eval`` load steps when it has
    them (a real study), else the world."""
    keyed: dict[str, tuple[Key, ...]] = {}
    artifacts: dict[Key, Any] = {}
    for role in ("data", "eval", "dev"):
        keys = []
        for artifact in inputs.get(role, ()):
            r = artifact.result
            key = (r["task"], r["language"], r["split"])
            artifacts[key] = artifact
            keys.append(key)
        keyed[role] = tuple(keys)
    world = inputs["world"].path if "world" in inputs else None
    return Examples(world, artifacts, keyed["data"], keyed["eval"], keyed["dev"])


def stage_tasks(examples: Examples) -> list[str]:
    """The tasks of the training data, in the compiler's order (XCOPA: siqa, then copa)."""
    return list(dict.fromkeys(task for task, _, _ in examples.train_keys))


def training_data(examples: Examples, task: str, languages: Sequence[str], with_dev: bool = True):
    """``TaskData`` of one task: its training examples in ``languages`` (pooled), and its
    dev examples per language where the source has them (the world has; a real study's
    are its ``dev`` input, which the compiler gives for ``select: best``)."""
    from xitt.models.finetune import TaskData

    if examples.real:
        languages = [lang for t, lang, _ in examples.train_keys if t == task] or list(languages)
        return TaskData(examples.info(task), [e for language in languages for e in examples.get(task, language, "train")],
                        selection_dev(examples, task) if with_dev else {})
    train = [e for language in languages for e in examples.get(task, language, "train")]
    dev = {language: examples.get(task, language, "dev") for language in languages
           if with_dev and examples.has(task, language, "dev")}
    return TaskData(examples.info(task), train, dev)


def selection_dev(examples: Examples, task: str | None = None) -> dict[str, list[dict]]:
    """A real step's dev examples per language (its ``dev`` input), those of ``task`` only
    when given: what ``select: best`` scores the weights on."""
    return {language: examples.get(name, language, split) for name, language, split in examples.dev_keys
            if task is None or name == task}


def unit_data(examples: Examples, unit: Unit) -> list:
    """The ``TaskData`` of an intermediate unit: one per task of a mixture. A real task that
    is a union of others (ANLI+) pools its parts' data under one head."""
    if not examples.real:
        return [training_data(examples, part.task, part.languages) for part in unit.parts]
    from xitt.models.finetune import TaskData
    from xitt.tasks.registry import get

    result = []
    for part in unit.parts:
        members = get(part.task).parts or (part.task,)
        pooled = [training_data(examples, member, part.languages, with_dev=False) for member in members]
        info = replace(pooled[0].task, name=part.task)
        result.append(TaskData(info, [e for data in pooled for e in data.train], selection_dev(examples, part.task)))
    return result


def compatible(trained: TaskInfo, target: TaskInfo) -> None:
    """A head trained on ``trained`` can score ``target`` (XNLI on an MNLI head): same
    format and label set; the user's error otherwise."""
    same_labels = trained.labels == target.labels or trained.format in (Format.QA, Format.MULTIPLE_CHOICE)
    if trained.format is not target.format or not same_labels:
        raise UserError(
            f"target {target.name} is trained on {trained.name}, whose {trained.format.value} labels "
            f"{list(trained.labels)} do not match its own {list(target.labels)}",
            hint="check the task's registered protocol (docs/tasks.md) and the files its data statements name",
        )


def benchmark_score(task: TaskInfo, metrics: dict[str, float], real: bool) -> dict[str, float]:
    """A real QA task's score is the mean of EM and F1, as XTREME-R averages them; the
    world keeps its own metric."""
    if real and task.metric == "em_f1":
        return {**metrics, "score": (metrics["exact_match"] + metrics["f1"]) / 2}
    return metrics


def spec_examples(examples: Examples, spec: Compared, samples: int) -> list[dict]:
    """The first ``samples`` examples per language of a similarity row's task (or of each
    part of a mixture): its training data; for a target with no training data of its own
    (retrieval; XNLI, whose training data is MNLI's) its evaluation data, in its training
    languages where it has them (English), else in all its evaluation languages."""
    out: list[dict] = []
    for part in spec.parts:
        for key in spec_keys(examples, spec, part):
            out.extend(examples.get(*key)[:samples])
    if not out:
        raise UserError(f"similarity: task {spec.label} has no examples to compare",
                        hint="check the task's languages and the data statements of a real task")
    return out


def spec_keys(examples: Examples, spec: Compared, part: Task) -> list[Key]:
    task, languages = part.task, part.languages
    members = _members(task) if examples.real and not spec.is_target else ()
    train = [(name, lang, "train") for name in (members or (task,)) for lang in languages if examples.has(name, lang, "train")]
    if train or not isinstance(spec.subject, Target):
        return train
    evaluation = [k for k in examples.eval_keys if k[0] == task]
    if not evaluation:  # the world: its test split
        evaluation = [(task, lang, "test") for lang in spec.subject.eval_languages if examples.has(task, lang, "test")]
    own = [k for k in evaluation if k[1] in languages]
    return own or evaluation


def _members(task: str) -> tuple[str, ...]:
    from xitt.tasks.registry import lookup

    found = lookup(task)
    return found.parts if found is not None else ()


HELPERS = [Examples, examples_of, stage_tasks, training_data, selection_dev, unit_data, compatible, benchmark_score, spec_examples, spec_keys, _members]
