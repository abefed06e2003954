"""Loading a real task's examples for one language and split, from the hub or from
local files, in our schema, checked.

    load("xnli", "de", "test")                                   # the registered hub copy
    load("xnli", "de", "test", local("data/xnli.{split}.tsv"))   # the release files
    load("panx", "de", "train", Hub("/data/wikiann-de"))          # a save_to_disk directory

A local path may name `{language}` (xitt's code), `{code}` (the task's own code, e.g.
Tatoeba's `deu`) and `{split}` (xitt's split name, or the `splits` given to `local`).
When data is missing or unreadable, the error names the task, the source tried and what
to do; it never surfaces a traceback from inside `datasets`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from xitt.errors import UserError
from xitt.tasks import bucc, conll, conllu, hub, lareqa, mewsli_x, squad_json, tatoeba
from xitt.tasks.columns import to_schema
from xitt.tasks.formats import Format, TaskInfo
from xitt.tasks.registry import get
from xitt.tasks.rows import TABLE_SUFFIXES, read_table
from xitt.tasks.spec import ColumnMap, RealTask
from xitt.tasks.validate import problem

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Hub:
    """A hub dataset id (or a `save_to_disk` directory, which may use `{language}`); the
    config defaults to the task's registered one for the language."""

    id: str
    config: str | None = None


@dataclass(frozen=True)
class Local:
    """Files on disk in the task's release format, or any table with `columns`."""

    path: str
    splits: tuple[tuple[str, str], ...] = ()
    columns: ColumnMap | None = None


def local(path: str, *, splits: dict[str, str] | None = None, columns: ColumnMap | None = None) -> Local:
    """`local("data/xnli.{split}.tsv")`: the task's data from files."""
    return Local(str(path), tuple((splits or {}).items()), columns)


@dataclass
class Loaded:
    """A task's examples for one language and split, and where they came from."""

    info: TaskInfo
    examples: list[dict]
    origin: str
    language: str = ""
    split: str = ""
    withheld: int = 0  # sentences dropped because the source withholds their text (UD's `_` forms)


def load(task: RealTask | str, language: str, split: str, source: Hub | Local | None = None,
         *, root: Path | str = ".") -> Loaded:
    """The examples of `task` in `language` for `split` (train, dev or test)."""
    task = get(task) if isinstance(task, str) else task
    _check_request(task, language, split)
    if task.parts and source is None and split == "train":
        return _union(task, language, root)
    rows, cmap, origin = _rows(task, language, split, source, Path(root))
    kept = [row for row in rows if not row.get("withheld")]
    withheld, rows = len(rows) - len(kept), kept
    info = task.info
    if task.open_labels:
        info = replace(info, labels=_open_labels(task, language, split, source, Path(root), rows))
    value = task.source.language_value(language) if cmap.language else None
    try:
        examples = to_schema(rows, info.format, info.labels, cmap, value)
    except KeyError as error:
        columns = ", ".join(sorted(rows[0])) if rows else "none"
        raise _error(task, origin, f"it has no column {error} (its columns: {columns})",
                     f"this task reads the columns {', '.join(_columns(cmap)) or 'of its schema (docs/tasks.md)'} of its release files: "
                     f"{task.source.local_example}") from None
    except ValueError as error:
        raise _error(task, origin, str(error), "check that the files are this task's, in its release format") from None
    _check_examples(task, info, examples, origin)
    return Loaded(info, examples, origin, language, split, withheld)


def _check_request(task: RealTask, language: str, split: str) -> None:
    if split not in SPLITS:
        raise UserError(f"task '{task.name}' has no split '{split}'", hint=f"splits are {', '.join(SPLITS)}")
    if language not in task.languages:
        raise UserError(f"task '{task.name}' has no language '{language}'",
                        hint=f"its languages are {', '.join(task.languages)}")


def _union(task: RealTask, language: str, root: Path) -> Loaded:
    parts = [load(part, language, "train", root=root) for part in task.parts]
    examples = [example for part in parts for example in part.examples]
    return Loaded(task.info, examples, " + ".join(p.origin for p in parts), language, "train")


def _rows(task: RealTask, language: str, split: str, source: Hub | Local | None, root: Path):
    if isinstance(source, Local):
        return _local_rows(task, language, split, source, root)
    hub_id = source.id if source else task.source.hub_id
    if hub_id is None:
        raise UserError(
            f"task '{task.name}' has no hub copy, so its data must come from local files",
            hint=f"point it at them: {task.source.local_example}")
    config = (source.config if source and source.config else None) or task.source.config(language)
    hub_id = hub_id.format(language=language, code=task.source.code(language))
    hub_split = task.source.split(split)
    origin = f"hub dataset {hub_id}" + (f" (config {config})" if config else "") + f", split {hub_split}"
    if task.source.reader != "rows":
        raise _error(task, origin, f"its hub copy does not keep the {task.source.reader} layout xitt reads",
                     f"use the release files: {task.source.local_example}")
    try:
        rows = hub.rows(hub_id, config, hub_split)
    except Exception as error:  # noqa: BLE001  (datasets raises many kinds; all mean "not there")
        raise _error(task, origin, f"{type(error).__name__}: {_first_line(error)}",
                     "without hub access, save the dataset once with datasets' save_to_disk and give "
                     f"that directory as the hub id, or point the task at local files: {task.source.local_example}") from None
    return rows, task.source.columns, origin


def files_read(task: RealTask | str, language: str, split: str, source: Hub | Local | None = None,
               *, root: Path | str = ".") -> list[Path]:
    """The files or directories `load` reads for this request, for fingerprinting them: the
    local files, a `save_to_disk` directory, or the hub cache's copy of the dataset; a path
    that is not there is listed all the same (it is then "missing"); [] when nothing local
    is known (a hub dataset not in the cache: `load` will say so)."""
    task = get(task) if isinstance(task, str) else task
    root = Path(root)
    if task.parts and source is None and split == "train":
        return [path for part in task.parts for path in files_read(part, language, "train", root=root)]
    if isinstance(source, Local):
        path, code, _ = _local_path(task, language, split, source, root)
        found = _expected_files(task.source.file_reader, path, code)
        if task.open_labels and split != "train":  # its tag set comes from the training split
            train, code, _ = _local_path(task, language, "train", source, root)
            found += [p for p in _expected_files(task.source.file_reader, train, code) if p not in found]
        return found
    hub_id = source.id if source else task.source.hub_id
    if hub_id is None:
        return []
    hub_id = hub_id.format(language=language, code=task.source.code(language))
    if Path(hub_id).is_dir():
        return [Path(hub_id)]
    return hub.cached_repo(hub_id, "dataset")


def unavailable(task: RealTask | str, language: str, split: str, source: Hub | Local | None = None,
                *, root: Path | str = ".") -> str | None:
    """Why `load` cannot read this request, known before reading anything: a local file that
    is not there, or a task with no hub copy and no files. None when it may load (whether a
    hub dataset can be reached is only known when its step runs)."""
    task = get(task) if isinstance(task, str) else task
    if isinstance(source, Local):
        absent = next((path for path in files_read(task, language, split, source, root=root) if not path.exists()), None)
        return f"{absent} does not exist" if absent is not None else None
    if task.parts and source is None and split == "train":
        return next((why for part in task.parts if (why := unavailable(part, language, "train", root=root))), None)
    if source is None and task.source.hub_id is None:
        return f"'{task.name}' has no hub copy and no data statement"
    return None


def _local_path(task: RealTask, language: str, split: str, source: Local, root: Path) -> tuple[Path, str, str]:
    """The file a `local(...)` source names for a language and split (the original where the
    release names English training data otherwise), the task's own language code, and the
    split's name in the files."""
    local_split = dict(source.splits).get(split, split)
    code = task.source.code(language)
    path = _original(task, language, root / source.path.format(language=language, code=code, split=local_split))
    return path, code, local_split


def _local_rows(task: RealTask, language: str, split: str, source: Local, root: Path):
    path, code, local_split = _local_path(task, language, split, source, root)
    origin = f"local files {path}"
    reader = task.source.file_reader
    cmap = source.columns or task.source.file_columns
    expected = _expected_files(reader, path, code)
    missing = [p for p in expected if not p.exists()]
    if missing:
        raise _error(task, origin, f"{missing[0]} does not exist",
                     f"give the path of this task's {split} files for {language}: {task.source.local_example}")
    try:
        rows = _read(reader, path, code, local_split, language, task.format)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _error(task, origin, f"it could not be read ({type(error).__name__}: {_first_line(error)})",
                     f"this task's files look like: {task.source.local_example}") from None
    return rows, cmap, origin


def _original(task: RealTask, language: str, path: Path) -> Path:
    """English translate-train data is the untranslated original, which the release names
    otherwise (PAWS-X: en/train.tsv, not en/translated_train.tsv): that file, when the
    written one is not there."""
    if language != "en" or task.source.original_file is None or path.exists():
        return path
    written, original = task.source.original_file
    other = path.with_name(path.name.replace(written, original))
    return other if other.exists() else path


def _expected_files(reader: str, path: Path, code: str) -> list[Path]:
    if reader == "tatoeba":
        return list(tatoeba.files(path, code))
    if reader == "bucc":
        return [path.with_name(f"{path.name}.{code}"), path.with_name(f"{path.name}.en")]
    return [path]


def _read(reader: str, path: Path, code: str, split: str, language: str, fmt: Format) -> list[dict]:
    if reader == "rows":
        if path.suffix.lower() == ".json" and fmt is Format.QA:
            return squad_json.read(path)
        if path.suffix.lower() not in TABLE_SUFFIXES:
            raise ValueError(f"{path.name}: a table file ends in {', '.join(TABLE_SUFFIXES)}")
        return read_table(path)
    readers = {
        "squad_json": lambda: squad_json.read(path),
        "conll": lambda: conll.read(path),
        "conllu": lambda: conllu.read(path),
        "tatoeba": lambda: tatoeba.read(path, code),
        "bucc": lambda: bucc.read(path, code),
        "lareqa": lambda: lareqa.read(path, code),
        "mewsli_x": lambda: mewsli_x.read(path, split, language),
    }
    return readers[reader]()


def _open_labels(task: RealTask, language: str, split: str, source, root: Path, rows: list[dict]) -> tuple[str, ...]:
    """The tag set of a task whose labels come from its data: the training split's tags."""
    train = rows if split == "train" else _rows(task, language, "train", source, root)[0]
    return tuple(sorted({tag for row in train for tag in row["tags"]}))


def _check_examples(task: RealTask, info: TaskInfo, examples: list[dict], origin: str) -> None:
    if not examples:
        raise _error(task, origin, "it holds no labelled examples for this language and split",
                     "check the language and split, or the column that names each row's language")
    for number, example in enumerate(examples, 1):
        wrong = problem(example, info.format, info.num_labels)
        if wrong:
            raise _error(task, origin, f"example {number} does not fit the {info.format.value} schema: {wrong}",
                         "check the column mapping against docs/tasks.md")


def _columns(cmap: ColumnMap) -> list[str]:
    """The source columns a column map reads, in order."""
    names = [c for _, column in cmap.fields for c in ((column,) if isinstance(column, str) else column)]
    return [c for c in names if not c.startswith("=")] + ([cmap.language] if cmap.language else [])


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no message"


def _error(task: RealTask, origin: str, cause: str, what_to_do: str) -> UserError:
    return UserError(f"cannot load task '{task.name}' from {origin}: {cause}", hint=what_to_do)
