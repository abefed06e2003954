"""The command line: check, plan and run a .xitt experiment.

Every error a user can cause is printed as one paragraph (with the source line and a
caret when it is in the .xitt file) and never as a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.table import Table

from xitt.errors import ProgramError, UserError


def _load(path: str, overrides: Sequence[str] = (), complete: bool = False):
    """The checked program and its graph, narrowed to the data that is there
    (``xitt.compile.coverage``); with ``complete`` (``--all-or-nothing``) missing data is
    an error instead."""
    from xitt.compile import compile_program
    from xitt.compile.coverage import data_probe, restrict
    from xitt.lang import load_program

    program = load_program(path, overrides)
    narrowed, coverage = restrict(program, data_probe(program))
    if complete and coverage:
        raise coverage.error(program.name)
    return program, compile_program(narrowed, coverage)


def _coverage_lines(coverage) -> list[str]:
    """What plan and run say of missing data: each (task, language, split) and why, then
    what the study leaves out because of it."""
    if not coverage:
        return []
    lines = [f"[yellow]missing: {coverage.count}[/] (the study runs on the rest; "
             "`run --all-or-nothing` refuses instead):"]
    lines += [f"  {m.task} {m.language} {m.split}: {m.reason}" for m in coverage.missing]
    for kind, notes in (("target", coverage.targets), ("unit", coverage.units)):
        for name, note in notes.items():
            detail = f": {', '.join(note['languages'])}" if note.get("languages") else ""
            lines.append(f"  {kind} {name}: {note['status']} ({note['why']}{detail})")
    lines += [f"  {name}: no dev set, the last weights are kept" for name in coverage.selection]
    return lines


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    program, compiled = _load(args.file, args.set)
    console.print(
        f"[green]ok[/] {args.file}: experiment [bold]{program.name}[/], "
        f"{sum(len(s.tasks) for s in program.sets('intermediate'))} intermediate tasks, "
        f"{sum(len(s.tasks) for s in program.sets('target'))} targets, {len(program.seeds)} seeds, {len(compiled.graph)} steps"
    )
    if compiled.coverage:
        console.print(f"[yellow]missing: {compiled.coverage.count}[/]: `xitt plan {args.file}` lists it")
    return 0


def cmd_plan(args: argparse.Namespace, console: Console) -> int:
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.plan import Status, counts_line, plan
    from xitt.engine.store import Store

    program, compiled = _load(args.file, args.set)
    for line in _coverage_lines(compiled.coverage):
        console.print(line, highlight=False)
    with Store(Path(args.file).resolve().parent) as store:
        planned = plan(compiled.graph, store)
    if not console.is_terminal:  # piped or redirected: one whole line per step, for grep and scripts
        for entry in planned:
            print(entry.status, entry.step.id, entry.step.op, "" if entry.cached else entry.reason, sep="\t", file=console.file)
    else:
        table = Table(title=f"plan for {args.file}", title_justify="left")
        longest = max((len(e.step.id) for e in planned), default=4)
        for column in ("step", "op", "status", "why"):  # fold, never cut: a step id is what a user types next
            table.add_column(column, overflow="fold", min_width=min(longest, console.width // 2) if column == "step" else None)
        for entry in planned:
            status = {Status.CACHED: "[green]cached[/]", Status.RUN: "[yellow]run[/]"}.get(entry.status, "[cyan]may run[/]")
            table.add_row(entry.step.id, entry.step.op, status, "" if entry.cached else entry.reason)
        console.print(table)
    console.print(_per_op(planned))
    console.print(counts_line(planned))
    libraries = sorted({r.detail.split()[0] for e in planned for r in e.reasons if r.kind == "library changed"})
    if libraries:
        console.print(f"[dim]libraries changed ({', '.join(libraries)}): to keep the results made with the old versions, "
                      f"say so with `xitt keep-libraries {args.file} {' '.join(libraries)} --note WHY` (recorded in provenance)[/]")
    rows = _power(program, compiled)
    if rows and not console.is_terminal:  # piped: one whole line each (no tabs: tab-separated lines are steps)
        for statement, scope, group, method, units, floor, adjusted, warning in rows:
            print(f"smallest p: {statement}, set {scope}, {group}, {method}, {units} units: {floor}"
                  + (f" ({adjusted} adjusted)" if adjusted and adjusted != floor else "") + (f"; {warning}" if warning else ""), file=console.file)
    elif rows:
        table = Table(title="smallest reachable p of each test, before running (p adj: after the statement's adjustment)",
                      title_justify="left")
        for column in ("statement", "set", "group", "method", "units", "smallest p", "smallest p adj", "warning"):
            table.add_column(column, justify="right" if column in ("units", "smallest p", "smallest p adj") else "left")
        for row in rows:
            table.add_row(*row[:-1], f"[yellow]{row[-1]}[/]" if row[-1] else "")
        console.print(table)
    return 0


def _power(program, compiled) -> list[tuple[str, ...]]:
    """Can each correlate statement reach a significant p? The smallest p its tests can give,
    known before anything runs from the number of intermediate units, targets and languages:
    one row (statement, set, group, method, units, smallest p, adjusted, warning) per distinct floor."""
    from xitt.stats.power import planned

    units = sorted({u for members in compiled.sets.values() for u in members})
    scopes = {"all": len(units), **({name: len(m) for name, m in compiled.sets.items()} if len(compiled.sets) > 1 else {})}
    zero_shot = {ref.task: [lang for lang in ref.eval_languages if lang not in ref.train_languages]
                 for s in program.sets("target") for ref in s.tasks if hasattr(ref, "eval_languages")}
    rows, seen = [], set()
    for index, corr in enumerate(program.correlations, 1):
        for row in planned(corr.per, corr.methods, len(corr.similarities), dict(corr.settings), scopes, zero_shot):
            shown = (index, row["scope"], row["method"], row["p_smallest"], row["power_note"])
            if shown in seen:  # one line for all groups of a statement that share their floor
                continue
            seen.add(shown)
            floor, adjusted = row["p_smallest"], row["p_smallest_adjusted"]
            rows.append((f"correlate {index} (per {corr.per})", row["scope"], row["group"], row["method"], str(row["units"]),
                         "asymptotic" if floor is None else f"{floor:.3g}", "" if adjusted is None else f"{adjusted:.3g}", row["power_note"]))
    return rows


def _per_op(planned) -> Table:
    """Step counts per op (how much data loading, training, scoring a study holds)."""
    from xitt.engine.plan import Status

    counts: dict[str, list[int]] = {}
    for entry in planned:
        row = counts.setdefault(entry.step.op, [0, 0, 0])
        row[(Status.CACHED, Status.RUN).index(entry.status) if entry.status in (Status.CACHED, Status.RUN) else 2] += 1
    table = Table(title="steps per op", title_justify="left")
    maybe = any(row[2] for row in counts.values())  # no "may run" column when none may
    for column in ("op", "steps", "cached", "to run", *(["may run"] if maybe else [])):
        table.add_column(column, justify="left" if column == "op" else "right")
    for name, (cached, to_run, may_run) in counts.items():
        table.add_row(name, str(cached + to_run + may_run), str(cached), str(to_run), *([str(may_run)] if maybe else []))
    return table


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    began = time.perf_counter()
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.cli_cluster import detach, make_executor
    from xitt.engine.capture import display_stream
    from xitt.engine.display import NullReporter, PlainReporter, RichReporter
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store

    program, compiled = _load(args.file, args.set, complete=args.all_or_nothing)
    if args.format != "json":
        for line in _coverage_lines(compiled.coverage):
            console.print(line, highlight=False)
    root = Path(args.file).resolve().parent
    with Store(root) as store:
        # The display writes to a copy of stdout: what a step prints goes to its log (capture.py).
        stream = None if args.quiet or args.format == "json" else display_stream()
        if stream is None:
            reporter = NullReporter() if args.quiet or args.format == "json" else RichReporter(console)
        else:
            shown = Console(file=stream, width=console.width if not console.is_terminal else None)
            reporter = RichReporter(shown) if shown.is_terminal else PlainReporter(stream)
        executor = make_executor(args, store, root)
        try:
            if args.detach and detach(args, compiled, store, executor, console):
                return 0
            summary = run(compiled.graph, store, reporter, executor, keep_going=args.keep_going, verify=args.verify,
                          threads=args.threads)
        finally:
            executor.close()
            if stream is not None:
                stream.close()
        studies = _studies(compiled, summary.keys, store, args)
    directory = _report_dir(root / compiled.report.path, args.set) if compiled.report is not None else None
    _show(args, console, compiled.name, studies, root, directory, len(summary.executed), len(summary.cached), began)
    return 0


def _studies(compiled, keys, store, args: argparse.Namespace | None = None) -> list:
    """Each grid point's stored results, read by key: the report layer sees plain dicts only;
    ``args``: the command line they are reported for (its file and ``--set`` overrides)."""
    from xitt.measures.kinds import oriented
    from xitt.report import Origin, StudyResults

    origin = Origin(Path(args.file).name, tuple(args.set)) if args is not None else Origin("")

    def read(step_id: str) -> dict:
        return store.get(keys[step_id]).result

    similarities = dict(compiled.similarities)
    return [
        StudyResults(
            compiled.name, read(f.gains), {n: oriented(read(s)) for n, s in similarities.items()}, [read(c) for c in f.correlations],
            {"gains": f.gains, "similarities": similarities, "correlations": list(f.correlations)},
            {s: keys[s] for s in (f.gains, *similarities.values(), *f.correlations)},
            dict(compiled.sets), f.label if len(compiled.families) > 1 else "", origin,
        )
        for f in compiled.families
    ]


def _show(args, console: Console, experiment: str, studies: list, root: Path, directory: Path | None,
          ran: int, cached: int, began: float | None = None) -> None:
    """The end of a run or report: the summary, then the report path (or the JSON summary for scripts).
    ``began``: when the run started, so the wall time printed includes writing the report."""
    import json

    from xitt.report import json_summary, render_summary, write_reports

    written = write_reports(directory, studies) if directory is not None else []
    where = None
    if written:
        where = str(written[0].markdown.relative_to(root) if written[0].markdown.is_relative_to(root) else written[0].markdown)
    if args.format == "json":
        print(json.dumps(json_summary(experiment, studies, where, ran, cached), indent=1))
        return
    if written:  # for the shell it was typed in
        where = _from_cwd(written[0].markdown)
    for study in studies:
        render_summary(console, study)
    timing = f"; wall time {time.perf_counter() - began:.1f} s" if began is not None else ""
    console.print(f"{ran} steps ran, {cached} cached{timing}")
    if where:
        console.print(f"{len(written[0].plots)} plots, results.json and CSV tables"
                      + (" (written beside the study's own report, not over it: --set)" if args.set else ""))
        console.print(f"report: {where}", soft_wrap=True, highlight=False)  # last, whole: a path to copy
    else:
        console.print("no report directory: add `report table to \"reports/NAME\"` to the program, or run `xitt report FILE`")


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Re-render the report from the store; never computes: a step not in the store is an error."""
    import xitt.ops  # noqa: F401  (registers the ops, whose versions are part of the keys)
    from xitt.engine.plan import plan
    from xitt.engine.store import STORE_DIR, Store

    _, compiled = _load(args.file, args.set)
    root = Path(args.file).resolve().parent
    if not (root / STORE_DIR).is_dir():
        raise UserError(f"no results to report: there is no store ({STORE_DIR}/) beside {args.file}",
                        hint=f"run `xitt run {args.file}` first; `xitt report` never computes")
    needed = {s for f in compiled.families for s in (f.gains, *compiled.similarities.values(), *f.correlations)}
    with Store(root) as store:
        planned = plan(compiled.graph, store)
        missing = [p.step.id for p in planned if p.step.id in needed and not p.cached]
        if missing:
            others = sum(not p.cached for p in planned) - len(missing)
            raise UserError(
                f"cannot report {args.file}: {len(missing)} of the steps the report reads are not in the store "
                f"({', '.join(missing)})" + (f", nor are {others} steps upstream of them" if others else "")
                + "; `xitt report` never computes",
                hint=f"run `xitt run {args.file}` (`xitt plan {args.file}` says what would run and why)",
            )
        studies = _studies(compiled, {p.step.id: p.key for p in planned if p.cached}, store, args)
    report = compiled.report.path if compiled.report is not None else f"reports/{compiled.name}"
    _show(args, console, compiled.name, studies, root, _report_dir(root / report, args.set), 0, len(planned))
    return 0


def _report_dir(written: Path, overrides: Sequence[str]) -> Path:
    """The study's report folder; a run with ``--set`` writes beside it, never over it:
    ``reports/quickstart`` becomes ``reports/quickstart--set-train.target.lr=1e-3``."""
    if not overrides:
        return written
    import hashlib
    import re

    slug = re.sub(r"[^A-Za-z0-9_.=+-]+", "_", "_".join(overrides)).strip("_")
    if len(slug) > 60:
        slug = slug[:48] + "-" + hashlib.sha256("\0".join(overrides).encode()).hexdigest()[:8]
    return written.with_name(f"{written.name}--set-{slug}")


def _from_cwd(path: Path) -> str:
    """``path`` as the shell it was typed in would write it: relative below the current
    directory, absolute elsewhere."""
    here = Path.cwd()
    return os.path.relpath(path, here) if path.is_relative_to(here) else str(path)


def _planned(path: str, store, verify: bool = False):
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.plan import plan

    return plan(_load(path)[1].graph, store, verify)


def _size(n: int) -> str:
    return next(f"{n / 1024**i:.1f} {unit}" for i, unit in reversed(list(enumerate(["B", "KiB", "MiB", "GiB", "TiB"]))) if n >= 1024**i or i == 0)


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    from rich.tree import Tree

    from xitt.cli_cluster import explain_jobs
    from xitt.engine.inspect import explain
    from xitt.engine.store import Store

    with Store(Path(args.file).resolve().parent) as store:
        found = explain(_planned(args.file, store), store, args.step)
        entry, meta = found.planned, found.meta or {}
        console.print(f"[bold]{entry.step.id}[/]  op [bold]{entry.step.op}[/]  {entry.status}" + ("" if entry.cached else f" ({entry.reason})"))
        console.print(f"key      {entry.key or '(known once its inputs are)'}")
        console.print(f"params   {dict(entry.step.params)}")
        console.print(f"inputs   {dict(entry.step.inputs) or '-'}")
        if meta:
            console.print(f"versions op {meta.get('op_version')}, " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))
            if meta.get("kept_libraries"):
                console.print("kept     " + "; ".join(f"{k['library']} {k['installed']} counts as {k['keyed']} "
                                                     f"({k['user']}@{k['host']}, {k['time']}{', ' + repr(k['note']) if k['note'] else ''})"
                                                     for k in meta["kept_libraries"]))
            for path, fingerprint in (meta.get("external") or {}).items():
                console.print(f"read     {path} ({fingerprint[:16]})")
            console.print(f"ran on   {meta.get('host')} ({meta.get('platform')}), device {meta.get('device', 'cpu')}"
                          + (f", worker {meta['worker']}" if meta.get("worker") else ""))
            console.print(f"started  {meta.get('started')}, took {meta.get('seconds')} s; digest {meta.get('digest')}")
            if meta.get("output_log"):
                console.print(f"printed  {meta['output_log']} (what the step's libraries wrote: load reports, progress bars, warnings)")
        explain_jobs(console, store, entry.key, meta)
    if found.failure:
        console.print(f"[red]failed[/] {found.failure['time']}: {found.failure['error']} (log: {found.failure['log']})")
    tree = Tree("upstream")
    nodes = {0: tree}
    for up in found.chain:
        nodes[up.depth] = nodes[up.depth - 1].add(f"{up.step_id} [dim]{up.op} {up.status} {(up.key or '')[:12]}[/]")
    console.print(tree)
    return 0


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.cli_cluster import show_jobs
    from xitt.engine.inspect import status
    from xitt.engine.plan import Keyer, plan
    from xitt.engine.store import STORE_DIR, Store

    root = Path(args.file).resolve().parent if args.file.endswith(".xitt") else Path(args.file).resolve()
    if args.file.endswith(".xitt") and not Path(args.file).is_file():
        raise UserError(f"no such file: {args.file}")
    if not (root / STORE_DIR).is_dir():
        studies = sorted(p.name for p in root.glob("*.xitt")) if root.is_dir() else []
        if not args.file.endswith(".xitt") and not studies:
            raise UserError(f"{root} is not a study: it holds no .xitt file and no store ({STORE_DIR}/); nothing was created",
                            hint="run `xitt status FILE.xitt`, or `xitt status` in the folder of a study")
        console.print(f"no store yet in {root} ({STORE_DIR}/ is made by the first `xitt run` or `xitt plan`): nothing has run"
                      + (f"; studies here: {', '.join(studies)}" if studies and not args.file.endswith(".xitt") else ""))
        return 0
    with Store(root) as store:
        show_jobs(console, store)  # first: it commits what finished while no driver watched
        keyer = Keyer(store, args.verify)
        planned = plan(_load(args.file)[1].graph, store, args.verify, keyer) if args.file.endswith(".xitt") else ()
        found = status(store, planned, args.verify, keyer.external.replaced)
    table = Table(title=f"store {root / '.xitt'}", title_justify="left")
    for column in ("op", "artifacts", "pruned", "size"):
        table.add_column(column, justify="left" if column == "op" else "right")
    for name, usage in sorted(found.by_op.items()):
        table.add_row(name, str(usage.artifacts), str(usage.pruned), _size(usage.bytes))
    table.add_row("[bold]all[/]", str(found.artifacts), "", _size(found.bytes))
    console.print(table)
    if found.experiment:
        said = {"cached": "cached", "run": "to run", "may run": "may run", "failed": "failed"}
        console.print("experiment steps: " + ", ".join(f"{found.experiment.get(state, 0)} {word}" for state, word in said.items()))
    for step_id, failure in found.failures.items():
        console.print(f"[red]failed[/] {step_id}: {failure['error']} (log: {failure['log']})")
    for key, trouble in found.corrupt.items():
        console.print(f"[red]corrupt[/] {key[:12]} {trouble} (recomputed by the next run)")
    if found.stale_temp_dirs:
        console.print(f"{found.stale_temp_dirs} temporary directories of interrupted runs (removed by the next run or gc)")
    for line in found.inputs_changed:
        console.print(f"[yellow]input changed[/] {line}: its steps run again")
    for path in found.inputs_replaced:
        console.print(f"[yellow]replaced[/] {path}: its content changed though its size and mtime did not (found by re-hashing)")
    if args.verify and not found.corrupt:
        console.print("[green]every artifact matches its checksums[/]")
    return 1 if found.corrupt or found.inputs_replaced else 0


def cmd_gc(args: argparse.Namespace, console: Console) -> int:
    from xitt.engine.gc import apply, collect
    from xitt.engine.store import Store

    roots = {Path(f).resolve().parent for f in args.files}
    if len(roots) != 1:
        raise UserError("gc takes experiments that share one store (.xitt files in one folder)")
    with Store(roots.pop()) as store:
        found = collect([_planned(f, store) for f in args.files], store, retention=not args.keep_weights)
        if not args.dry_run:
            apply(found, store)
    verb = "would free" if args.dry_run else "freed"
    console.print(f"{len(found.remove)} artifacts no given experiment references, {len(found.prune)} weights no step needs any more "
                  f"({'kept' if args.keep_weights else 'pruned'}), {found.temp_dirs} temporary directories: {verb} {_size(found.bytes)}")
    return 0


def cmd_keep_libraries(args: argparse.Namespace, console: Console) -> int:
    """Record that the installed versions of the named libraries count as the ones the
    experiment's results were made with: those results stay cached (engine/libraries.py)."""
    from xitt.engine.libraries import keep
    from xitt.engine.store import Store

    with Store(Path(args.file).resolve().parent) as store:
        with store.writing("keep-libraries"):
            kept = keep(_planned(args.file, store), store, args.libraries, args.note or "")
            planned = _planned(args.file, store)
    for record in kept:
        console.print(f"kept: {record.library} {record.installed} counts as {record.keyed} in this store's keys "
                      f"(recorded: {record.user}@{record.host}, {record.time}" + (f", {record.note!r}" if record.note else "") + ")")
    console.print(f"{sum(p.cached for p in planned)} of {len(planned)} steps cached; artifacts made from now on record the choice")
    return 0


def cmd_fmt(args: argparse.Namespace, console: Console) -> int:
    """Lay .xitt files out canonically, in place; with --check, only say which would change."""
    from xitt.lang.format import fmt, format_file

    if args.files == ["-"]:  # editors: stdin to stdout
        sys.stdout.write(fmt(sys.stdin.read().removeprefix("\ufeff"), "<stdin>"))  # a BOM, as files may have
        return 0
    changed = [name for name in args.files if format_file(name, write=not args.check)]
    for name in changed:
        console.print(f"{'would reformat' if args.check else 'reformatted'} {name}")
    console.print(f"{len(changed)} of {len(args.files)} files {'would change' if args.check else 'changed'}")
    return 1 if args.check and changed else 0


COMMANDS = {"check": cmd_check, "plan": cmd_plan, "run": cmd_run, "explain": cmd_explain, "status": cmd_status, "gc": cmd_gc,
            "report": cmd_report}


COMMANDS["fmt"] = cmd_fmt  # added apart from the table above, which other commands extend
COMMANDS["keep-libraries"] = cmd_keep_libraries


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from xitt import __version__
    from xitt.cli_cluster import add_arguments as add_cluster_arguments

    parser = argparse.ArgumentParser(prog="xitt", description="Intermediate-task transfer studies as cached experiments.")
    parser.add_argument("--version", action="version", version=f"xitt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check_parser = sub.add_parser("check", help="parse and check a .xitt file")
    check_parser.add_argument("file")
    plan_parser = sub.add_parser("plan", help="which steps are cached, which would run, and why")
    plan_parser.add_argument("file")
    run_parser = sub.add_parser("run", help="run an experiment, re-using every cached step")
    run_parser.add_argument("file")
    report_parser = sub.add_parser("report", help="render the report (terminal, plots, tables) from the store; computes nothing")
    report_parser.add_argument("file")
    for with_set in (check_parser, plan_parser, run_parser, report_parser):
        with_set.add_argument(
            "--set", action="append", default=[], metavar="PATH=VALUE",
            help="change a parameter without editing the file, e.g. --set train.target.lr=2e-5 (repeatable)",
        )
    run_parser.add_argument("--quiet", action="store_true", help="no live display")
    for with_format in (run_parser, report_parser):
        with_format.add_argument("--format", choices=("text", "json"), default="text",
                                 help="json: print only the machine-readable summary, for scripts")
    run_parser.add_argument("--keep-going", action="store_true", help="after a failure, go on with the steps that do not depend on it")
    run_parser.add_argument("--all-or-nothing", action="store_true",
                            help="refuse to run when any data is missing (by default the study runs on the data that is there)")
    run_parser.add_argument("--verify", action="store_true", help="re-hash every cached artifact before trusting it")
    run_parser.add_argument("--threads", type=_positive, metavar="N",
                            help="threads for this run in all (default: a fair share of this machine's cores "
                                 "among the xitt steps computing on it now)")
    run_parser.add_argument("--jobs", "-j", type=_positive, default=1, metavar="N",
                            help="run up to N independent steps at once, each with its share of the cores (like make -j)")
    run_parser.add_argument("--gpu-jobs", type=_positive, default=None, metavar="N",
                            help="with --jobs: at most N steps on the GPU at once (default: one per GPU)")
    add_cluster_arguments(run_parser)
    explain_parser = sub.add_parser("explain", help="how a step's artifact was made, and what it was made from")
    explain_parser.add_argument("file")
    explain_parser.add_argument("step", help="a step id, a unique part of one, or a key prefix")
    status_parser = sub.add_parser("status", help="a store at a glance: steps, sizes, failures")
    status_parser.add_argument("file", nargs="?", default=".", help="a .xitt file, or a folder holding a .xitt store")
    status_parser.add_argument("--verify", action="store_true", help="re-hash every artifact against its checksums")
    gc_parser = sub.add_parser("gc", help="remove artifacts that none of the given experiments references")
    gc_parser.add_argument("files", nargs="+", metavar="file")
    gc_parser.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    gc_parser.add_argument("--keep-weights", action="store_true", help="keep the files of keep=False ops (model weights)")
    keep_parser = sub.add_parser("keep-libraries", help="keep results made with older versions of libraries (recorded in provenance)")
    keep_parser.add_argument("file")
    keep_parser.add_argument("libraries", nargs="+", metavar="library", help="distribution names, e.g. transformers")
    keep_parser.add_argument("--note", help="why the old results still hold (recorded with the choice)")
    fmt_parser = sub.add_parser("fmt", help="lay .xitt files out canonically (in place)")
    fmt_parser.add_argument("files", nargs="+", metavar="file", help="files to format; '-' reads stdin and writes stdout")
    fmt_parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is not formatted")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # a detached run's driver job repeats it
    console = Console()
    try:
        return COMMANDS[args.command](args, console)
    except ProgramError as error:
        from xitt.lang import render_error

        render_error(error, Console(stderr=True))
        return error.exit_code
    except UserError as error:
        err = Console(stderr=True)
        err.print(f"[bold red]error:[/] {error.message}")
        if error.hint:
            err.print(f"[dim]hint:[/] {error.hint}")
        return error.exit_code
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]interrupted[/]: finished steps are cached; nothing half-written was kept")
        return 130
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        where = f" writing {error.filename}" if error.filename else ""
        Console(stderr=True).print(
            f"[bold red]error:[/] the disk is full{where}. Steps that finished are cached; the one being "
            "written stays in the store's tmp/ folder and is not recorded, so nothing corrupt is used. "
            "Free space (`xitt gc FILE --dry-run` shows what artifacts no experiment needs) and run again."
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
