"""The language layer: parsing, checking, and the errors a user meets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console

from xitt.errors import ProgramError, ProgramErrors
from xitt.lang import ast, check, load_program, parse, render_error
from xitt.lang.parser import statement_keywords
from xitt.lang.program import TaskRef

REPO = Path(__file__).resolve().parents[1]
QUICKSTART = REPO / "experiments" / "quickstart.xitt"

VALID = """\
experiment study
world toy(languages: 3, seed: 1)
model base = toy_mlm(layers: 1, hidden: 32)
tasks english = toy.{nli, sentiment} @ en
tasks targets = toy.{paraphrase, pos} train @ en eval @ *
similarity text = text_embedding(samples: 32)
correlate spearman(similarity.*, gain)
compare english vs english2
tasks english2 = toy.nli @ {en, qaa}
report table to "reports/study"
"""


def write(tmp_path: Path, text: str, name: str = "study.xitt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def errors_of(tmp_path: Path, text: str) -> list[ProgramError]:
    """Every error a program gives, in order (one error or several)."""
    with pytest.raises(ProgramError) as caught:
        load_program(write(tmp_path, text))
    error = caught.value
    return list(error.errors) if isinstance(error, ProgramErrors) else [error]


def the_error(tmp_path: Path, text: str) -> ProgramError:
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


def rendered(error: ProgramError) -> str:
    out = io.StringIO()
    render_error(error, Console(file=out, width=200, color_system=None))
    return out.getvalue()


def column_of(line: str, word: str) -> int:
    """1-based column of ``word`` in ``line``."""
    return line.index(word) + 1


# --- valid programs --------------------------------------------------------------------------


def test_quickstart_checks_into_the_expected_program():
    program = load_program(QUICKSTART)

    assert program.name == "quickstart"
    assert program.source_path == str(QUICKSTART)
    assert (program.world.name, program.world.kind) == ("toy", "toy")
    assert program.world.params["languages"] == 4 and program.world.params["seed"] == 7
    assert program.world.params["train_size"] == 1000  # default filled
    assert program.model.kind == "toy_mlm" and program.model.params["layers"] == 2
    assert program.model.params["vocab_size"] == 16000 and program.model.params["heads"] == 4  # heads: default filled

    every = ("en", "qaa", "qab", "qac")
    english, multilingual = program.sets("intermediate")
    assert [s.name for s in program.task_sets] == ["english", "multilingual", "targets"]
    tasks = ("nli", "paraphrase", "sentiment", "pos", "ner", "qa", "choice")
    assert english.tasks[1:] == tuple(TaskRef("toy", t, ("en",)) for t in tasks)  # after the mixture of nli and paraphrase
    assert multilingual.tasks[1] == TaskRef("toy", "nli", every, ()) and len(multilingual.tasks) == 8
    (targets,) = program.sets("target")
    assert [r.task for r in targets.tasks] == ["nli", "paraphrase", "pos", "ner"]
    assert all(r.train_languages == ("en",) and r.eval_languages == every for r in targets.tasks)

    written = {"lr": 2e-3, "steps": 125, "batch": 32, "max_length": 64, "warmup": 0.1, "freeze_embeddings": False}
    assert {k: program.train["intermediate"][k] for k in written} == written
    assert program.train["target"]["epochs"] == 3 and program.train["target"]["freeze_embeddings"] is True
    assert program.seeds == (1,)

    text, vocab = program.similarities
    assert (text.name, text.measure, dict(text.params)) == ("text", "text_embedding", {"pool": "mean", "samples": 256, "layer": -1})
    assert (vocab.measure, vocab.params["measure"], vocab.params["top_k"]) == ("vocabulary", "jensen_shannon", 1000)

    correlate, pooled = program.correlations
    assert correlate.methods == ("spearman",)
    assert correlate.similarities == ("text", "vocab")
    assert (correlate.outcome, correlate.per) == ("gain", "target")
    assert dict(correlate.settings) == {"permutation": 1000}
    assert (pooled.per, dict(pooled.settings)) == ("pooled", {"permutation": 1000})

    (compare,) = program.comparisons
    assert (compare.left, compare.right) == ("english", "multilingual")
    assert program.report.items == (("table", {}),)
    assert program.report.path == "reports/quickstart"


def test_design_document_forms(tmp_path):
    text = VALID.replace("model base = toy_mlm(layers: 1, hidden: 32)", 'model base = hf("xlm-roberta-large")').replace(
        "correlate spearman(similarity.*, gain)",
        "similarity vocab = vocabulary(measure: jaccard)\n"
        "correlate spearman, kendall(similarity.*, gain) per language\n"
        "    with bootstrap(2000), permutation(10000), adjust(holm)",
    ).replace(
        "report table to", "report table, heatmap(gain), scatter(similarity.*, gain) to"
    )
    program = load_program(write(tmp_path, text))

    assert (program.model.kind, dict(program.model.params)) == ("hf", {"name": "xlm-roberta-large"})
    (correlate,) = program.correlations
    assert correlate.methods == ("spearman", "kendall")
    assert correlate.similarities == ("text", "vocab")
    assert correlate.per == "language"
    assert dict(correlate.settings) == {"bootstrap": 2000, "permutation": 10000, "adjust": "holm"}
    assert correlate.location.line == 8
    assert program.report.items == (
        ("table", {}),
        ("heatmap", {"args": ["gain"]}),
        ("scatter", {"args": ["similarity.text", "similarity.vocab", "gain"]}),
    )


def test_defaults_when_optional_statements_are_absent(tmp_path):
    text = "\n".join(line for line in VALID.splitlines() if not line.startswith(("report", "compare")))
    program = load_program(write(tmp_path, text))
    assert program.seeds == (1,)
    assert program.train["target"]["lr"] == 5e-4 and program.train["intermediate"]["epochs"] == 3
    assert program.report is None and program.comparisons == ()
    assert program.sets("intermediate")[1].tasks == (TaskRef("toy", "nli", ("en", "qaa")),)


def test_values_comments_and_numbers():
    module = parse('# c\nworld toy(a: 5e-4, b: 1e-5, c: -2, d: 3.0, e: true, f: "x\\"y", g: [1, two], h: mean) # c\n', "f.xitt")
    (world,) = module.statements
    values = {a.name.text: a.value for a in world.call.arguments}
    assert values["a"] == ast.Number(5e-4, values["a"].location)
    assert isinstance(values["c"].value, int) and values["c"].value == -2
    assert isinstance(values["d"].value, float)
    assert values["e"].value is True
    assert values["f"].value == 'x"y'
    assert [type(v).__name__ for v in values["g"].items] == ["Number", "Reference"]
    assert values["h"].text == "mean"
    assert (values["a"].location.line, values["a"].location.column, values["a"].location.end_column) == (2, 14, 18)


def test_the_grammar_is_built_once_and_keywords_come_from_it():
    from xitt.lang.parser import _lark

    assert _lark() is _lark()
    assert set(statement_keywords()) == {
        "experiment", "import", "let", "world", "model", "tasks", "train", "seeds", "similarity", "correlate", "compare", "report", "data",
    }


# --- syntax errors ---------------------------------------------------------------------------


def test_syntax_error_has_location_source_line_and_caret(tmp_path):
    text = QUICKSTART.read_text().replace("choice} @ en", "choice}} @ en")
    path = write(tmp_path, text)
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    error = caught.value
    line = next(li for li in text.splitlines() if "}}" in li)
    line_number = text.splitlines().index(line) + 1
    column = line.index("}}") + 2
    assert (error.location.line, error.location.column) == (line_number, column)
    assert error.message == "unexpected '}'"
    assert "'@'" in error.hint and "a new statement" in error.hint

    out = rendered(error).splitlines()
    assert out[0] == f"{path}:{line_number}:{column}: error: unexpected '}}'"
    assert out[1] == line
    assert out[2] == " " * (column - 1) + "^"
    assert out[3].startswith("hint: expected")


def test_missing_value_after_colon(tmp_path):
    error = the_error(tmp_path, VALID.replace("layers: 1,", "layers: ,"))
    assert error.message == "expected a value after ':'"
    assert (error.location.line, error.location.column) == (3, column_of("model base = toy_mlm(layers: ,", ","))
    assert "number" in error.hint and "string" in error.hint


def test_unfinished_statement_points_at_the_end_of_its_line(tmp_path):
    error = the_error(tmp_path, VALID.replace("seed: 1)", "seed: 1"))
    line = "world toy(languages: 3, seed: 1"
    assert (error.location.line, error.location.column) == (2, len(line) + 1)
    assert error.message == "expected ')' or ',' after '1'"
    assert "line 3" in error.hint and "'model'" in error.hint


def test_task_set_without_languages(tmp_path):
    text = VALID.replace("sentiment} @ en\n", "sentiment}\ntrain intermediate(lr: 1e-3)\n")
    error = the_error(tmp_path, text)
    assert error.location.line == 4 and error.location.column == len("tasks english = toy.{nli, sentiment}") + 1
    assert "'@'" in error.message and "@ en" in error.hint


def test_misspelt_statement_keyword(tmp_path):
    error = the_error(tmp_path, VALID.replace("similarity text", "similarty text"))
    assert error.location.line == 6 and error.location.column == 1 and error.location.end_column == 10
    assert "keyword" in error.message
    assert error.hint == "did you mean 'similarity'?"


def test_unclosed_string_and_stray_characters(tmp_path):
    error = the_error(tmp_path, VALID.replace('"reports/study"', '"reports/study'))
    assert error.message == "this string is not closed"
    assert (error.location.line, error.location.column) == (10, column_of('report table to "', '"'))

    error = the_error(tmp_path, VALID.replace("toy_mlm(layers: 1, hidden: 32)", "hf(xlm-roberta-large)"))
    assert error.message == "unexpected character '-'"
    assert 'hf("xlm-roberta-large")' in error.hint


def test_end_of_file_inside_a_statement(tmp_path):
    error = the_error(tmp_path, VALID + "correlate spearman(")
    assert error.location.line == 11 and error.location.column == len("correlate spearman(") + 1
    assert "ends" in error.message and "value" in error.message


@pytest.mark.parametrize(
    "text",
    [
        "world toy(a: 1",
        "world toy(a: 1]",
        "tasks x = toy.{a @ en",
        "correlate spearman(similarity.*) with",
        "report table to",
        "seeds 1,,2",
    ],
)
def test_hints_name_tokens_as_written_not_as_lark_terminals(text):
    with pytest.raises(ProgramError) as caught:
        parse(text, "f.xitt")
    words = f"{caught.value.message} {caught.value.hint}"
    for terminal in ("RPAR", "LPAR", "COMMA", "RSQB", "RBRACE", "$END", "__ANON", "STRING", "NUMBER", "NAME"):
        assert terminal not in words


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list('abtoyworldmel(){}[]@*.,:="#1-\n e'), max_size=60))
def test_parse_raises_nothing_but_program_errors(text):
    try:
        check(parse(text, "f.xitt"))
    except ProgramError as error:
        assert error.location is None or error.location.line >= 1
        rendered(error)


# --- checker errors --------------------------------------------------------------------------


def test_unknown_task_points_at_it_with_a_suggestion(tmp_path):
    text = VALID.replace("toy.{nli, sentiment}", "toy.{nlii, sentiment}")
    error = the_error(tmp_path, text)
    assert error.message == "unknown task 'nlii'"
    assert (error.location.line, error.location.column, error.location.end_column) == (4, 22, 26)
    assert error.hint == "did you mean 'nli'?"
    out = rendered(error)
    assert f"{tmp_path / 'study.xitt'}:4:22: error: unknown task 'nlii'" in out
    assert "tasks english = toy.{nlii, sentiment} @ en\n" + " " * 21 + "^~~~\n" in out


def test_unknown_name_without_close_match_lists_the_choices(tmp_path):
    error = the_error(tmp_path, VALID.replace("toy.{nli, sentiment}", "toy.{zzzzz, sentiment}"))
    for task in ("nli", "paraphrase", "sentiment", "pos", "ner"):
        assert f"'{task}'" in error.hint


def test_several_errors_are_all_reported_in_order(tmp_path):
    text = (
        VALID.replace("layers: 1", "layrs: 1")
        .replace("samples: 32", "samples: 2")
        .replace("@ {en, qaa}", "@ {en, qax}")
        .replace("spearman(", "spearmann(")
        .replace('"reports/study"', '"../outside"')
    )
    errors = errors_of(tmp_path, text)
    assert [e.location.line for e in errors] == [3, 6, 7, 9, 10]
    assert [e.message for e in errors] == [
        "unknown parameter 'layrs' of toy_mlm",
        "parameter 'samples' of text_embedding must be at least 8, got 2",
        "unknown correlation method 'spearmann'",
        "unknown language code 'qax'",
        "the report path '../outside' leaves the experiment's directory",
    ]
    assert all(e.hint for e in errors)
    out = rendered(ProgramErrors(errors))
    assert out.rstrip().endswith("5 errors")
    assert out.count(": error: ") == 5


def test_unknown_parameter(tmp_path):
    error = the_error(tmp_path, VALID.replace("layers: 1", "layrs: 1"))
    assert (error.location.line, error.location.column) == (3, column_of("model base = toy_mlm(layrs", "layrs"))
    assert error.hint == "did you mean 'layers'?"


def test_out_of_range_value_uses_the_parameter_declaration(tmp_path):
    error = the_error(tmp_path, VALID.replace("languages: 3", "languages: 12"))
    assert error.message == "parameter 'languages' of world toy must be at most 8, got 12"
    assert (error.location.line, error.location.column, error.location.end_column) == (2, 22, 24)
    assert "from 2 to 8" in error.hint


def test_wrong_type_and_choices(tmp_path):
    errors = errors_of(tmp_path, VALID.replace("samples: 32", "samples: 3.5, pool: max"))
    assert [e.message for e in errors] == [
        "parameter 'samples' of text_embedding expects an integer, got 3.5",
        "parameter 'pool' of text_embedding must be one of mean, cls, got 'max'",
    ]


def test_bad_language_code(tmp_path):
    error = the_error(tmp_path, VALID.replace("@ {en, qaa}", "@ {en, qac}"))  # the world has 3 languages
    assert error.message == "unknown language code 'qac'"
    assert (error.location.line, error.location.column) == (9, column_of("tasks english2 = toy.nli @ {en, qac}", "qac"))
    assert "en, qaa and qab" in error.hint


@pytest.mark.parametrize("path", ["../x", "reports/../../x", "/tmp/x", "C:\\x", ""])
def test_report_path_must_stay_inside_the_experiment(tmp_path, path):
    error = the_error(tmp_path, VALID.replace('"reports/study"', f'"{path}"'.replace("\\", "\\\\")))
    assert error.location.line == 10 and error.location.column == column_of('report table to "', '"')
    assert "report path" in error.message


def test_unknown_names_in_correlate_compare_and_similarity(tmp_path):
    text = VALID.replace("similarity.*", "similarity.txt").replace("english vs english2", "english vs englsh2")
    errors = errors_of(tmp_path, text)
    assert [(e.message, e.hint) for e in errors] == [
        ("unknown similarity 'txt'", "did you mean 'text'?"),
        ("unknown task set 'englsh2'", "did you mean 'english2'?"),
    ]
    assert errors[0].location.column == column_of("correlate spearman(similarity.txt", "txt")


def test_unknown_kinds(tmp_path):
    text = VALID.replace("world toy(", "world toi(").replace("toy_mlm(", "toy_mlmm(").replace("text_embedding(", "text_embeding(")
    errors = errors_of(tmp_path, text)
    assert [(e.message, e.hint) for e in errors] == [
        ("unknown world 'toi'", "did you mean 'toy'?"),
        ("unknown model kind 'toy_mlmm'", "did you mean 'toy_mlm'?"),
        ("unknown similarity measure 'text_embeding'", "did you mean 'text_embedding'?"),
    ]


def test_compare_takes_intermediate_sets(tmp_path):
    error = the_error(tmp_path, VALID.replace("english vs english2", "english vs targets"))
    assert "target set" in error.message
    assert "'english'" in error.hint and "'english2'" in error.hint


def test_duplicates_point_at_the_second_definition(tmp_path):
    text = VALID + "tasks english = toy.pos @ en\nworld toy\nsimilarity text = vocabulary()\ntrain target()\ntrain target()\n"
    errors = errors_of(tmp_path, text)
    assert [(e.location.line, e.location.column) for e in errors] == [(11, 7), (12, 1), (13, 12), (15, 7)]
    assert "line 4" in errors[0].message
    assert "line 2" in errors[1].hint


def test_required_statements(tmp_path):
    errors = errors_of(tmp_path, "# nothing yet\n")
    assert len(errors) == 5
    assert all(e.location.line == 1 and e.hint.startswith("add a line like") for e in errors)
    assert "experiment" in errors[0].message and "target" in errors[-1].message


def test_positional_arguments_only_where_a_signature_has_one_parameter(tmp_path):
    error = the_error(tmp_path, VALID.replace("toy_mlm(layers: 1, hidden: 32)", "toy_mlm(1)"))
    assert error.message == "toy_mlm takes its parameters by name"
    assert "layers" in error.hint


def test_seeds_are_distinct_whole_numbers(tmp_path):
    errors = errors_of(tmp_path, VALID + "seeds 1, 2.5, 1\n")
    assert [e.message for e in errors] == ["a seed is a whole number of 0 or more, not 2.5", "seed 1 appears twice"]


def test_missing_file_is_a_program_error(tmp_path):
    with pytest.raises(ProgramError) as caught:
        load_program(tmp_path / "nope.xitt")
    assert "no such file" in caught.value.message and "nope.xitt" in caught.value.message
    assert rendered(caught.value).startswith("error: no such file")


def test_rendering_works_without_the_file_on_disk():
    with pytest.raises(ProgramError) as caught:
        check(parse(VALID.replace("nli, sentiment", "nli, sentimnt"), "not/on/disk.xitt"))
    out = rendered(caught.value)
    assert "not/on/disk.xitt:4:27: error: unknown task 'sentimnt'" in out
    assert "tasks english = toy.{nli, sentimnt} @ en" in out


# --- values, let, import ---------------------------------------------------------------------

BASE = """\
experiment study
world toy(languages: 3, seed: 1)
model base = toy_mlm(layers: 1, hidden: 32)
tasks english = toy.{nli, sentiment} @ en
tasks targets = toy.{paraphrase, pos} train @ en eval @ *
"""


def test_ranges_lets_and_variables(tmp_path):
    text = BASE + "let rate = 2e-5\nlet seeds = 1\ntrain target(lr: $rate, epochs: 1..3)\nseeds $seeds, 4..5\n"
    program = load_program(write(tmp_path, text))
    assert program.train["target"]["lr"] == 2e-5
    assert program.sweeps == {"target": {"epochs": (1, 2, 3)}}
    assert program.seeds == (1, 4, 5)


def test_let_scoping_errors_point_at_the_use(tmp_path):
    text = BASE + "train target(lr: $rat, epochs: $later)\nlet later = 2\nlet rate = 1\nlet rate = 2\n"
    errors = errors_of(tmp_path, text)
    assert [e.message for e in errors] == [
        "unknown name $rat",
        "$later is used before its definition on line 7",
        "'rate' is already defined at " + str(tmp_path / "study.xitt") + ":8",
    ]
    assert errors[0].hint == "no let definition is declared yet"  # rate is defined below, so not in scope
    assert (errors[0].location.line, errors[0].location.column) == (6, column_of("train target(lr: $rat", "$rat"))


def test_a_let_value_is_checked_where_it_is_used(tmp_path):
    error = the_error(tmp_path, BASE + "let big = 5\ntrain target(lr: $big)\n")
    assert error.message == "parameter 'lr' of train target must be at most 1.0, got 5.0"
    assert error.location.line == 7


def test_imports_bring_statements_and_definitions(tmp_path):
    (tmp_path / "lib").mkdir()
    write(tmp_path, "let rate = 3e-5\nimport \"more.xitt\"\n", "lib/common.xitt")
    write(tmp_path, "tasks extra = toy.paraphrase @ *\n", "lib/more.xitt")
    text = BASE + 'import "lib/common.xitt"\nimport "lib/more.xitt"\ntrain target(lr: $rate)\n'
    program = load_program(write(tmp_path, text))
    assert program.train["target"]["lr"] == 3e-5
    assert [s.name for s in program.task_sets] == ["english", "targets", "extra"]  # more.xitt included once


def test_import_cycle_is_a_located_error(tmp_path):
    write(tmp_path, 'import "b.xitt"\n', "a.xitt")
    write(tmp_path, 'let x = 1\nimport "a.xitt"\n', "b.xitt")
    error = the_error(tmp_path, BASE + 'import "a.xitt"\n')
    assert error.message == "import cycle: a.xitt -> b.xitt -> a.xitt"
    assert error.location.file.endswith("b.xitt") and error.location.line == 2
    assert 'import "a.xitt"' in rendered(error)


def test_self_import_is_a_cycle(tmp_path):
    error = the_error(tmp_path, BASE + 'import "study.xitt"\n')
    assert error.message == "import cycle: study.xitt -> study.xitt"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../outside.xitt", "leaves the experiment's folder"),
        ("/etc/passwd.xitt", "is absolute"),
        ("notes.txt", "is not a .xitt file"),
        ("missing.xitt", "no such file"),
        ("link.xitt", "leaves the experiment's folder"),
    ],
)
def test_imports_cannot_leave_the_experiment_tree(tmp_path, path, message):
    study = tmp_path / "study"
    study.mkdir()
    (tmp_path / "outside.xitt").write_text("let x = 1\n")
    (study / "link.xitt").symlink_to(tmp_path / "outside.xitt")
    error = the_error(study, BASE + f'import "{path}"\n')
    assert message in error.message
    assert error.location.line == 6


def test_errors_in_an_imported_file_are_located_there(tmp_path):
    write(tmp_path, "tasks extra = toy.{nlii} @ en\n", "common.xitt")
    errors = errors_of(tmp_path, BASE.replace("layers: 1", "layers: 0") + 'import "common.xitt"\n')
    assert [(Path(e.location.file).name, e.location.line) for e in errors] == [("study.xitt", 3), ("common.xitt", 1)]
    assert "tasks extra = toy.{nlii} @ en" in rendered(errors[1])


# --- task sets -------------------------------------------------------------------------------


def sets_of(tmp_path, extra: str) -> dict:
    program = load_program(write(tmp_path, BASE + extra))
    return {s.name: s.tasks for s in program.task_sets}


def labels(refs) -> list[str]:
    return [f"{r.task}@{'+'.join(r.train_languages)}" for r in refs]


def test_set_algebra_and_language_selectors(tmp_path):
    sets = sets_of(
        tmp_path,
        "tasks a = toy.{nli @ *, paraphrase} | english @ {en, qaa}\n"
        "tasks b = a - toy.sentiment\n"
        "tasks c = (toy.nli @ *) - (toy.nli @ en) + toy.pos @ qab\n",
    )
    assert labels(sets["a"]) == ["nli@en+qaa+qab", "paraphrase@en+qaa", "nli@en", "sentiment@en"]
    assert labels(sets["b"]) == ["nli@en+qaa+qab", "paraphrase@en+qaa", "nli@en"]
    assert labels(sets["c"]) == ["nli@qaa+qab", "pos@qab"]


def test_per_task_languages_in_a_target_set_narrow_evaluation(tmp_path):
    sets = sets_of(tmp_path, "tasks t2 = toy.{pos, ner @ {qaa}} train @ en eval @ *\n")
    pos, ner = sets["t2"]
    assert (pos.train_languages, pos.eval_languages) == (("en",), ("en", "qaa", "qab"))
    assert (ner.train_languages, ner.eval_languages) == (("en",), ("qaa",))


def test_mix_is_one_unit_with_a_sampling_rule(tmp_path):
    sets = sets_of(tmp_path, "tasks m = mix(toy.{nli, paraphrase} @ en, sampling: temperature, temperature: 3) | english\n")
    mix, nli, sentiment = sets["m"]
    assert (mix.mixing.sampling, mix.mixing.temperature) == ("temperature", 3.0)
    assert labels(mix.tasks) == ["nli@en", "paraphrase@en"]
    assert labels([nli, sentiment]) == ["nli@en", "sentiment@en"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("tasks x = toy.{nli, qa}\n", "task 'nli' has no languages"),
        ("tasks x = englsh | toy.nli @ en\n", "unknown task set 'englsh'"),
        ("tasks x = later\ntasks later = toy.nli @ en\n", "task set 'later' is defined later, on line 7"),
        ("tasks x = english | targets\n", "'targets' is a target set and cannot be part of an intermediate set"),
        ("tasks x = mix(toy.nli @ en)\n", "a mix needs at least two tasks"),
        ("tasks x = mix(toy.{nli, pos} @ en, temperature: 2)\n", "temperature applies only to `sampling: temperature`"),
        ("tasks x = mix(toy.{nli, pos} @ en, sampling: random)\n", "parameter 'sampling' of mix must be one of"),
        ("tasks x = toy.{pos, ner} - toy.{pos, ner} @ en\n", "task set 'x' is empty"),
        ("tasks x = mix(toy.{nli, pos} @ en) train @ en eval @ *\n", "a target set cannot hold one"),
    ],
)
def test_task_set_errors(tmp_path, extra, message):
    errors = errors_of(tmp_path, BASE + extra)
    assert any(message in e.message for e in errors), [e.message for e in errors]
    assert all(e.location.line >= 6 for e in errors if message in e.message)


def test_unknown_task_set_suggests_a_close_one(tmp_path):
    error = the_error(tmp_path, BASE + "tasks x = englsh | toy.nli @ en\n")
    assert error.hint == "did you mean 'english'?"
    assert (error.location.line, error.location.column) == (6, 11)


# --- sweeps ----------------------------------------------------------------------------------


def test_sweeps_are_checked_value_by_value(tmp_path):
    errors = errors_of(tmp_path, BASE + "train target(lr: [1e-4, 2, 1e-4], epochs: [])\nsimilarity v = vocabulary(top_k: [1, 2])\n")
    assert [e.message for e in errors] == [
        "parameter 'lr' of train target must be at most 1.0, got 2.0",
        "0.0001 appears twice in the sweep of 'lr'",
        "the sweep of 'epochs' of train target is empty",
        "parameter 'top_k' of vocabulary takes one value, not a list",
    ]
    assert errors[0].location.column == len("train target(lr: [1e-4, ") + 1


@pytest.mark.parametrize(("text", "message"), [("3..1", "is empty"), ("1.5..3", "whole numbers"), ("1..20000", "more than 10000")])
def test_bad_ranges(tmp_path, text, message):
    error = the_error(tmp_path, BASE + f"train target(epochs: {text})\n")
    assert message in error.message


# --- --set overrides -------------------------------------------------------------------------


def test_overrides_replace_or_add_parameters(tmp_path):
    path = write(tmp_path, BASE + "train target(lr: 1e-3)\nsimilarity v = vocabulary()\n")
    program = load_program(path, ["train.target.lr=2e-5", "train.intermediate.epochs=[1,2]", "world.seed=9",
                                  "similarity.v.top_k=50", "seeds=1..2", "model.layers=2"])
    assert program.train["target"]["lr"] == 2e-5
    assert program.sweeps == {"intermediate": {"epochs": (1, 2)}}
    assert program.world.params["seed"] == 9 and program.model.params["layers"] == 2
    assert program.similarities[0].params["top_k"] == 50
    assert program.seeds == (1, 2)


def test_override_errors_render_against_the_set_text(tmp_path):
    path = write(tmp_path, BASE + "similarity v = vocabulary()\n")
    with pytest.raises(ProgramError) as caught:
        load_program(path, ["train.target.lr=5", "similarity.w.top_k=1", "trian.x=1", "world.seed"])
    errors = caught.value.errors
    assert [e.message for e in errors] == [
        "parameter 'lr' of train target must be at most 1.0, got 5.0",
        "nothing in the program matches 'similarity.w.top_k'",
        "cannot set 'trian.x'",
        "'world.seed' is not an assignment",
    ]
    assert errors[1].hint == "choose 'v'" and errors[2].hint == "did you mean 'train'?"
    out = rendered(caught.value)
    assert "--set:1:17: error:" in out and "train.target.lr=5\n" + " " * 16 + "^" in out


# --- formatting ------------------------------------------------------------------------------

from xitt.lang import fmt  # noqa: E402
from xitt.lang.ast import shape  # noqa: E402
from xitt.lang.highlight import STATEMENT_KEYWORDS, XittLexer  # noqa: E402


def assert_round_trips(text: str) -> str:
    """``fmt`` is idempotent and keeps the program; the formatted text."""
    once = fmt(text)
    assert fmt(once) == once
    assert shape(parse(once, "f.xitt")) == shape(parse(text, "f.xitt"))
    return once


def test_fmt_lays_out_canonically_and_keeps_comments():
    messy = (
        "# head comment\n\n\n"
        "experiment   study   # trailing\n"
        "world toy( languages:3 ,seed:1)\n"
        "model base=toy_mlm(layers:1,hidden:32)\n"
        "tasks english=toy.{nli,sentiment}@en\n"
        "tasks t = toy.{ paraphrase , pos @ {en,qaa}} train@en eval@*\n"
        "tasks u = (english|toy.qa @ *) - toy.nli@en\n"
        "train intermediate(lr:[1E-4,+5e-4],epochs:1..3)\n"
        "seeds 1 ,2\n"
        "correlate spearman,kendall(similarity.*,gain)\n"
        "   # a comment inside a statement\n"
        "   per target with permutation(100),adjust(holm)\n"
        "report table,heatmap(gain) to \"r/\\\"x\\\"\"\n\n\n"
        "# tail\n\n"
    )
    assert assert_round_trips(messy) == (
        "# head comment\n\n"
        "experiment study  # trailing\n"
        "world toy(languages: 3, seed: 1)\n"
        "model base = toy_mlm(layers: 1, hidden: 32)\n"
        "tasks english = toy.{nli, sentiment} @ en\n"
        "tasks t       = toy.{paraphrase, pos @ {en, qaa}} train @ en eval @ *\n"
        "tasks u       = (english | toy.qa @ *) - toy.nli @ en\n"
        "train intermediate(lr: [1e-4, 5e-4], epochs: 1..3)\n"
        "seeds 1, 2\n"
        "# a comment inside a statement\n"
        "correlate spearman, kendall(similarity.*, gain) per target with permutation(100), adjust(holm)\n"
        'report table, heatmap(gain) to "r/\\"x\\""\n\n'
        "# tail\n"
    )


def test_fmt_breaks_a_long_correlate_at_with_and_keeps_statements_apart():
    long = "correlate spearman, kendall, pearson(similarity.*, gain) per language with bootstrap(2000), permutation(10000), adjust(holm)"
    out = assert_round_trips(f"seeds 1 {long} # note\n")
    assert out == (
        "seeds 1  # note\n"
        "correlate spearman, kendall, pearson(similarity.*, gain) per language\n"
        "    with bootstrap(2000), permutation(10000), adjust(holm)\n"
    )


def test_fmt_refuses_a_file_with_syntax_errors():
    with pytest.raises(ProgramError):
        fmt("world toy(languages: 3\n")


@pytest.mark.parametrize("path", sorted(p for p in (REPO / "experiments").glob("*.xitt") if p.is_file()), ids=lambda p: p.name)
def test_example_files_are_formatted_and_round_trip(path):
    text = path.read_text()
    assert assert_round_trips(text) == text


def test_xitt_fmt_command(tmp_path):
    from xitt.cli import main

    path = write(tmp_path, "experiment   x\nseeds 1,2\n")
    assert main(["fmt", "--check", str(path)]) == 1
    assert path.read_text() == "experiment   x\nseeds 1,2\n"
    assert main(["fmt", str(path)]) == 0
    assert path.read_text() == "experiment x\nseeds 1, 2\n"
    assert main(["fmt", "--check", str(path)]) == 0
    bad = write(tmp_path, "seeds 1,,2\n", "bad.xitt")
    assert main(["fmt", str(bad)]) == 2


# --- highlighting ----------------------------------------------------------------------------


def test_the_lexer_knows_every_statement_keyword_of_the_grammar():
    assert set(statement_keywords()) <= set(STATEMENT_KEYWORDS)
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.token import Token

    assert isinstance(get_lexer_by_name("xitt"), XittLexer)  # registered for editors and pygmentize
    assert isinstance(get_lexer_for_filename("study.xitt"), XittLexer)
    tokens = list(XittLexer().get_tokens('tasks a = toy.{nli} @ en  # note\nlet r = [1e-4, $x, "s", true, 1..3]\n'))
    kinds = {value: kind for kind, value in tokens}
    assert kinds["tasks"] in Token.Keyword and kinds["# note"] in Token.Comment
    assert kinds["1e-4"] in Token.Number and kinds["$x"] in Token.Name.Variable
    assert kinds['"s"'] in Token.String and kinds["true"] in Token.Keyword.Constant
    assert "".join(v for _, v in tokens) == 'tasks a = toy.{nli} @ en  # note\nlet r = [1e-4, $x, "s", true, 1..3]\n'


def test_error_snippets_are_highlighted_on_a_colour_terminal(tmp_path):
    with pytest.raises(ProgramError) as caught:
        load_program(write(tmp_path, VALID.replace("toy.{nli, sentiment}", "toy.{nli, sentimnt}")))
    out = io.StringIO()
    render_error(caught.value, Console(file=out, width=200, force_terminal=True, color_system="standard"))
    line = next(l for l in out.getvalue().splitlines() if "sentimnt" in l and "error" not in l)
    assert "\x1b[1;35mtasks" in line  # the keyword in bold magenta
    assert "sentimnt" in rendered(caught.value)  # and plain where colour is off


# --- several syntax errors, data declarations, the grammar as package data --------------------


def test_several_syntax_errors_are_reported_in_one_pass(tmp_path):
    text = VALID.replace("world toy(languages: 3, seed: 1)", "world toy(languages: 3, seed: 1").replace(
        "similarity text = text_embedding(samples: 32)", "similarity text = text_embedding(samples: )"
    ) + "seeds 1,,2\n"
    errors = errors_of(tmp_path, text)
    assert [e.location.line for e in errors] == [2, 6, 11]
    assert all(e.location.file.endswith("study.xitt") for e in errors)
    assert "3 errors" in rendered(ProgramErrors(errors))


def test_data_declares_a_real_tasks_files(tmp_path):
    head = 'experiment x\nmodel base = hf("xlm-roberta-large")\ntasks i = hub.{mnli} @ en\ntasks t = hub.{xnli, panx} train @ en eval @ *\n'
    program = load_program(write(tmp_path, head + 'data xnli = local("/data/xnli/xnli.{split}.tsv", dev: "dev_2k")\n'))
    (data,) = program.data
    assert (data.task, data.kind, data.path, data.splits) == ("xnli", "local", "/data/xnli/xnli.{split}.tsv", (("dev", "dev_2k"),))
    bad = head + 'data xnlii = local("a")\ndata panx = local("a/{lang}", foo: "x")\ndata mnli = files("x")\ndata qqp = local("q")\n'
    messages = [e.message for e in errors_of(tmp_path, bad)]
    assert messages == [
        "unknown real task 'xnlii'",
        "unknown placeholder '{lang}' in the path",
        "unknown parameter 'foo' of local",
        "unknown data kind 'files'",
        "'qqp' has files declared but no task set uses it",
    ]


def test_the_grammar_is_package_data():
    from xitt.lang.parser import GRAMMAR

    assert GRAMMAR.parent == Path(__file__).resolve().parents[1] / "xitt" / "lang"
    assert (REPO / "grammar" / "xitt.lark").read_text() == GRAMMAR.read_text()  # the documented path links to it
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"xitt.lang" = ["*.lark"]' in pyproject


# --- generated and mutated programs ----------------------------------------------------------

import signal  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from xitt.world.catalog import TASKS as TOY_TASKS  # noqa: E402
from xitt.world.catalog import language_codes  # noqa: E402

SECONDS_PER_INPUT = 2.0
QUICK = (Phase.explicit, Phase.reuse, Phase.generate)  # no shrinking: a failure prints its whole input
RESERVED = {*STATEMENT_KEYWORDS, "true", "false", "mix", "vs", "to", "per", "with", "eval", "train", "hub", "toy", "similarity", "gain"}
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda n: n not in RESERVED)


class Hang(Exception):
    pass


@contextmanager
def time_bound(seconds: float = SECONDS_PER_INPUT):
    """Fail an input that takes longer than ``seconds``: a hang is a bug like a traceback."""

    def expire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def programs(draw) -> str:
    """A program that should check: random sets, selectors, algebra, sweeps, lets, comments, layout."""
    n = draw(st.integers(2, 6))
    codes = language_codes(n)
    tasks = sorted(TOY_TASKS)
    names = draw(st.lists(identifiers, min_size=8, max_size=8, unique=True))

    def selector() -> str:
        kind = draw(st.sampled_from(["one", "all", "some"]))
        if kind == "one":
            return draw(st.sampled_from(codes))
        if kind == "all":
            return "*"
        return "{" + ", ".join(draw(st.lists(st.sampled_from(codes), min_size=1, max_size=n, unique=True))) + "}"

    def group() -> str:
        chosen = draw(st.lists(st.sampled_from(tasks), min_size=1, max_size=4, unique=True))
        return "toy.{" + ", ".join(chosen) + "}" if len(chosen) > 1 or draw(st.booleans()) else f"toy.{chosen[0]}"

    lines = [f"experiment {names[0]}", f"world toy(languages: {n}, seed: {draw(st.integers(0, 99))})",
             f"model base = toy_mlm(layers: {draw(st.integers(1, 3))}, hidden: {draw(st.sampled_from([32, 64]))})"]
    if draw(st.booleans()):
        lines.append(f"let {names[1]} = [{draw(st.sampled_from(['1e-4', '0.001', '2E-5']))}, 5e-4]")
        lr = f"${names[1]}"
    else:
        lr = draw(st.sampled_from(["5e-4", "1e-3", "[1e-4, 5e-4]"]))
    sets = []
    for name in names[2:2 + draw(st.integers(1, 3))]:
        expr = f"{group()} @ {selector()}"
        if sets and draw(st.booleans()):
            expr = f"{draw(st.sampled_from(sets))} | {expr}"  # a trailing @ gives languages to what has none
        if draw(st.booleans()):
            a, b, *rest = draw(st.lists(st.sampled_from(tasks), min_size=2, max_size=4, unique=True))
            sampling = draw(st.sampled_from(["uniform", "proportional"]))
            expr = f"mix((toy.{{{', '.join([a, *rest])}}} @ {selector()}) | toy.{b} @ en, sampling: {sampling})" + (
                f" | {expr}" if draw(st.booleans()) else "")
        lines.append(f"tasks {name} = {expr}")
        sets.append(name)
    lines.append(f"tasks {names[6]} = {group()} train @ en eval @ {selector()}")
    lines.append(f"train intermediate(lr: {lr}, epochs: {draw(st.integers(1, 3))})")
    lines.append(f"train target(batch: {draw(st.sampled_from(['16', '32']))})")
    lines.append(f"seeds {draw(st.sampled_from(['1', '1, 2', '1..3', '0..1, 5']))}")
    measures = draw(st.lists(st.sampled_from(["text_embedding(samples: 32)", "vocabulary", "size()"]), max_size=3))
    for index, measure in enumerate(measures):
        lines.append(f"similarity s{index} = {measure}")
    if measures:
        methods = ", ".join(draw(st.lists(st.sampled_from(["spearman", "kendall", "pearson"]), min_size=1, max_size=3, unique=True)))
        per = draw(st.sampled_from(["", " per target", " per language", " per pooled"]))
        settings = draw(st.sampled_from(["", " with permutation(100)", " with bootstrap(50), adjust(holm)"]))
        lines.append(f"correlate {methods}(similarity.*, gain){per}{settings}")
    if len(sets) > 1:
        lines.append(f"compare {sets[0]} vs {sets[1]}")
    lines.append(draw(st.sampled_from(['report table to "reports/x"', 'report table, heatmap(gain) to "r"', ""])))
    out = []
    for line in lines:
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(["", "# a comment", "   # indented comment"])))
        if draw(st.integers(0, 5)) == 0:
            line = line.replace(", ", draw(st.sampled_from([",\n    ", " ,", ",  "])), 1)
        if draw(st.integers(0, 6)) == 0:
            line += "  # trailing"
        out.append(line)
    return "\n".join(out) + "\n"


TOKENS = [*STATEMENT_KEYWORDS, "true", "false", "mix", "vs", "to", "per", "with", "eval", "toy", "hub", "@", "*", "|", "+", "-",
          "(", ")", "{", "}", "[", "]", ",", ":", ".", "..", "=", "$", "$x", "#", '"', '"s"', "\n", " ", "1e-4", "3", "-1",
          "1..3", "9999999999999999999999", "1e400", "\\", "'", "é", "\t", "\x00", "\r", "similarity.*", "gain", "nli"]


@st.composite
def mutated(draw) -> str:
    """A generated program with 1 to 4 edits: deletions, insertions of tokens, swaps, repeats."""
    text = draw(programs())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "swap_lines", "repeat"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "replace":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at + 1:]
        elif kind == "repeat":
            text = text[:at] + text[max(0, at - 20):at] + text[at:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


random_text = st.text(alphabet=list('abcdeilmnoprstwxy(){}[]@*.,:=|+-$"#\\ \n\t1e5é'), max_size=120)


def check_or_located_errors(text: str) -> bool:
    """True when ``text`` checks; else every error must be a located ProgramError. Formats
    round-trip whenever the text parses."""
    with time_bound():
        try:
            module = parse(text, "f.xitt")
        except ProgramError as error:
            assert_located(error)
            return False
        assert_round_trips(text)
        try:
            check(module)
        except ProgramError as error:
            assert_located(error)
            return False
    return True


def assert_located(error: ProgramError) -> None:
    for one in getattr(error, "errors", None) or [error]:
        assert one.location is not None and one.location.line >= 1 and one.location.column >= 1, one.message
        assert one.message and "Traceback" not in one.message
    rendered(error)


def test_generated_programs_check_and_round_trip():
    outcomes = []

    @settings(max_examples=100, deadline=None, database=None, phases=QUICK, suppress_health_check=list(HealthCheck))
    @given(programs())
    def one(text):
        if not check_or_located_errors(text):
            with pytest.raises(ProgramError) as caught:
                check(parse(text, "f.xitt"))
            pytest.fail(f"{rendered(caught.value)}\n{text}")
        outcomes.append(True)

    one()
    assert len(outcomes) >= 100


def test_random_and_mutated_inputs_check_or_give_located_errors():
    """1,100 inputs (1,000 mutated programs, 100 random texts): each checks or gives located
    errors, within SECONDS_PER_INPUT; never another exception."""
    outcomes: list[bool] = []

    @settings(max_examples=1000, deadline=None, database=None, phases=QUICK, suppress_health_check=list(HealthCheck))
    @given(mutated())
    def one_mutated(text):
        outcomes.append(check_or_located_errors(text))

    @settings(max_examples=100, deadline=None, database=None, phases=QUICK, suppress_health_check=list(HealthCheck))
    @given(random_text)
    def one_random(text):
        outcomes.append(check_or_located_errors(text))

    one_mutated()
    one_random()
    assert len(outcomes) >= 1100
    assert 0 < sum(outcomes) < len(outcomes)  # both outcomes occur: the inputs are neither all valid nor all broken


# --- the language reference: every example parses and checks ---------------------------------

import re  # noqa: E402

DOC = REPO / "docs" / "language.md"
FENCE = re.compile(r"^```(xitt)([^\n]*)\n(.*?)^```", re.M | re.S)


def doc_examples() -> list[tuple[int, str, str]]:
    """(line, attributes, code) of every ```xitt block of docs/language.md."""
    text = DOC.read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(2).strip(), m.group(3)) for m in FENCE.finditer(text)]


DOC_FILES = {attrs.split("=", 1)[1]: code for _, attrs, code in doc_examples() if attrs.startswith("file=")}
DOC_BASE = doc_examples()[0][2]  # the first block is the base program that completes the others


def complete(code: str) -> str:
    """A fragment with the base program's statements it lacks put in front (see the doc's intro)."""
    statements = list(parse(code, "f.xitt").statements)
    for statement in list(statements):
        if isinstance(statement, ast.Import) and statement.path.value in DOC_FILES:
            statements += parse(DOC_FILES[statement.path.value], "f.xitt").statements
    has = {type(s) for s in statements}
    sets = {s.name.text: s for s in statements if isinstance(s, ast.Tasks)}
    roles = {"target" if s.eval is not None else "intermediate" for s in sets.values()}
    uses_toy = "toy." in code or ast.Model not in has
    wanted = []
    for line in DOC_BASE.splitlines():
        keyword, _, rest = line.partition(" ")
        if keyword == "experiment" and ast.Experiment not in has:
            wanted.append(line)
        elif keyword == "world" and ast.World not in has and uses_toy:
            wanted.append(line)
        elif keyword == "model" and ast.Model not in has:
            wanted.append(line)
        elif keyword == "tasks":
            role = "target" if " eval @ " in rest else "intermediate"
            name = rest.split()[0]
            if role not in roles and name not in sets:
                wanted.append(line)
    return "\n".join(wanted) + ("\n" if wanted else "") + code


@pytest.mark.parametrize("line,attrs,code", doc_examples(), ids=[f"line{line}" for line, _, _ in doc_examples()])
def test_every_example_of_the_language_reference_checks(tmp_path, line, attrs, code):
    for name, text in DOC_FILES.items():
        write(tmp_path, text, name)
    if attrs != "error":
        assert_round_trips(code)
    if attrs.startswith("file="):
        return  # imported by another example, checked there
    try:
        program_text = complete(code)
    except ProgramError:
        program_text = code  # a syntax-error example
    if attrs == "error":
        errors = errors_of(tmp_path, program_text)
        assert errors and all(e.location is not None for e in errors)
        return
    program = load_program(write(tmp_path, program_text, "example.xitt"))
    assert program.name


def test_the_reference_has_an_example_of_every_statement():
    kinds = {type(s).__name__ for _, attrs, code in doc_examples() if attrs != "error" for s in parse(code, "f.xitt").statements}
    assert kinds == {t.__name__ for t in ast.Statement.__args__}
    text = DOC.read_text()
    for construct in ("mix(", " | ", " + ", " - ", "@ *", "@ {", "..", "$", "per language", "per pooled", "with ", "vs", "--set", "xitt fmt", '"'):
        assert construct in text, construct


@pytest.mark.parametrize("name", ["/models/xlmr", "~/xlmr", "../xlmr", "C:\\\\models\\\\xlmr"])
def test_a_checkpoint_path_cannot_leave_the_experiment(tmp_path, name):
    text = f'experiment x\nmodel base = hf("{name}")\ntasks i = hub.mnli @ en\ntasks t = hub.xnli train @ en eval @ *\n'
    error = the_error(tmp_path, text)
    assert "experiment's folder" in error.message and error.location.line == 2
    assert load_program(write(tmp_path, text.replace(name, "checkpoints/xlmr"))).model.params["name"] == "checkpoints/xlmr"


def test_a_byte_order_mark_is_accepted_and_snippets_count_lines_as_the_parser(tmp_path):
    """A file saved with a UTF-8 BOM loads; a U+2028 inside a comment is not a line break for
    the parser, so the error on the line after it shows that line (not the comment's tail)."""
    path = tmp_path / "bom.xitt"
    path.write_bytes(("\ufeff" + VALID).encode("utf-8"))
    assert load_program(path).name == "study"
    text = VALID.replace("world toy(languages: 3, seed: 1)", "# a note\u2028still the note\nworld toy(languages: 3, seed: 1, sede: 2)")
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    error = caught.value.errors[0] if isinstance(caught.value, ProgramErrors) else caught.value
    assert error.location.line == 3 and "sede" in rendered(error)


def test_fmt_reads_a_bom_from_stdin_as_check_reads_it_from_a_file():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "xitt.cli", "fmt", "-"], input="\ufeffexperiment bom\n",
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "experiment bom\n"
