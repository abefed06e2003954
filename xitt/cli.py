"""The command line: check, plan and run a .xitt experiment.

Every error a user can cause is printed as one paragraph (with the source line and a
caret when it is in the .xitt file) and never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.table import Table

from xitt.errors import ProgramError, UserError


def _load(path: str):
    from xitt.compile import compile_program
    from xitt.lang import load_program

    program = load_program(path)
    return program, compile_program(program)


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    program, compiled = _load(args.file)
    console.print(
        f"[green]ok[/] {args.file}: experiment [bold]{program.name}[/], "
        f"{sum(len(s.tasks) for s in program.sets('intermediate'))} intermediate tasks, "
        f"{sum(len(s.tasks) for s in program.sets('target'))} targets, {len(program.seeds)} seeds, {len(compiled.graph)} steps"
    )
    return 0


def cmd_plan(args: argparse.Namespace, console: Console) -> int:
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.plan import plan
    from xitt.engine.store import Store

    _, compiled = _load(args.file)
    with Store(Path(args.file).resolve().parent) as store:
        planned = plan(compiled.graph, store)
    table = Table(title=f"plan for {args.file}", title_justify="left")
    for column in ("step", "op", "status", "why"):
        table.add_column(column)
    for entry in planned:
        status = "[green]cached[/]" if entry.cached else "[yellow]run[/]"
        table.add_row(entry.step.id, entry.step.op, status, "" if entry.cached else entry.reason)
    console.print(table)
    to_run = sum(not e.cached for e in planned)
    console.print(f"{len(planned)} steps: {len(planned) - to_run} cached, {to_run} to run")
    return 0


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    began = time.perf_counter()
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.display import NullReporter, RichReporter
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store
    from xitt.report import render_summary, write_results

    program, compiled = _load(args.file)
    root = Path(args.file).resolve().parent
    with Store(root) as store:
        reporter = NullReporter() if args.quiet else RichReporter(console)
        summary = run(compiled.graph, store, reporter)
        gains = store.get(summary.keys[compiled.gains]).result
        correlations = [store.get(summary.keys[c]).result for c in compiled.correlations]
    render_summary(console, gains, correlations)
    if compiled.report is not None:
        path = write_results(
            root / compiled.report.path,
            compiled.name,
            {
                "gains": gains,
                "correlations": correlations,
                "steps": {step_id: summary.keys[step_id] for step_id in (compiled.gains, *compiled.similarities.values(), *compiled.correlations)},
            },
        )
        console.print(f"results: {path.relative_to(root) if path.is_relative_to(root) else path}")
    console.print(
        f"{len(summary.executed)} steps ran, {len(summary.cached)} cached; "
        f"wall time {time.perf_counter() - began:.1f} s"
    )
    return 0


COMMANDS = {"check": cmd_check, "plan": cmd_plan, "run": cmd_run}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xitt", description="Intermediate-task transfer studies as cached experiments.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="parse and check a .xitt file").add_argument("file")
    sub.add_parser("plan", help="which steps are cached, which would run, and why").add_argument("file")
    run_parser = sub.add_parser("run", help="run an experiment, re-using every cached step")
    run_parser.add_argument("file")
    run_parser.add_argument("--quiet", action="store_true", help="no live display")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
