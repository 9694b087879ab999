"""Command line: ``python -m analysis process|panel|report|hashes|run-notebooks|lab-pages|render|install-kernel|warm-up``.

Every failure prints one line, ``error: <file>, <row>, <column>: <problem>: expected ...; found ...``,
and exits 1 (2 for a usage error, 130 after Ctrl-C, saying which processed set is in place); no
traceback, and nothing half-written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import stamps
from analysis.data.errors import AuditDataError, PublishError
from analysis.data.paths import PROCESSED_DIR, RAW_DIR, display_path
from analysis.data.publish import Progress
from analysis.wall import DEFAULT_SECONDS, TimeLimitExceeded

_WALL_HELP = (
    f"hard limit on the seconds spent reading and computing before publishing (default {DEFAULT_SECONDS:g}); past it, one error line names "
    "the stage still running and nothing is published"
)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, found {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Reproducible analysis of the Gwent 2019 case-file audit.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "process", help="validate every raw file and publish the processed set (the only command that writes data/processed)"
    )
    p.add_argument("--raw", type=Path, default=RAW_DIR, help="folder of the raw data package (default: data/raw)")
    p.add_argument("--out", type=Path, default=PROCESSED_DIR, help="folder of the processed set (default: data/processed)")
    p.add_argument(
        "--changed",
        action="store_true",
        help="do nothing when neither the raw package, analysis/, requirements.txt nor the processed set changed since the last run here",
    )
    p.add_argument("--max-seconds", type=_positive, default=DEFAULT_SECONDS, help=_WALL_HELP)
    pn = sub.add_parser(
        "panel",
        help="build the national panel's tables (national_panel.csv, national_pairs.csv, national_changes.csv, funnels) from any folder of audit packages",
    )
    pn.add_argument("--packages", type=Path, required=True, help="a folder whose every subfolder is one audit package")
    pn.add_argument(
        "--out", type=Path, required=True, help="folder of the panel's processed set (a new or empty folder, or one this command wrote)"
    )
    pn.add_argument("--max-seconds", type=_positive, default=DEFAULT_SECONDS, help=_WALL_HELP)
    r = sub.add_parser(
        "report",
        help="publish any audit package into OUT/processed, execute copies of the notebooks into OUT/notebooks and, with Quarto, render the site into OUT/_site",
    )
    r.add_argument("--raw", type=Path, required=True, help="folder of the audit package (audit.json, figures.csv, datapackage.json)")
    r.add_argument("--out", type=Path, required=True, help="a new or empty folder (or one an earlier report wrote)")
    r.add_argument("--timeout", type=int, default=600, help="seconds per notebook cell")
    r.add_argument("--max-seconds", type=_positive, default=DEFAULT_SECONDS, help=_WALL_HELP)
    h = sub.add_parser(
        "hashes",
        help="check (or --update) the sha256 and size of each raw file in datapackage.json; --update writes datapackage.json for a new audit package",
    )
    h.add_argument("--raw", type=Path, default=RAW_DIR)
    h.add_argument("--update", action="store_true", help="record the current hashes (after a reviewed change)")
    n = sub.add_parser("run-notebooks", help="execute the notebooks in place, in order (they only read data)")
    n.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    n.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    n.add_argument(
        "--changed",
        action="store_true",
        help="skip a notebook when neither it, analysis/, data/processed/ nor requirements.txt changed since it was last executed here",
    )
    s = sub.add_parser(
        "render", help="render the website with Quarto; with --changed only the pages whose inputs changed (or all, saying why)"
    )
    s.add_argument("--quarto", default=None, help="the Quarto CLI (default: $QUARTO, then quarto on PATH)")
    s.add_argument("--changed", action="store_true", help="render only what changed since the last render here")
    lp = sub.add_parser(
        "lab-pages",
        help="write glossary.md and reproduce.md, the Markdown copies of those pages that the notebooks link to (for JupyterLab)",
    )
    lp.add_argument(
        "--changed",
        action="store_true",
        help="do nothing when neither the pages, the copies, analysis/ nor the data changed since the last run here",
    )
    sub.add_parser("install-kernel", help="install the project's python3 Jupyter kernelspec (encrypted transport) into this environment")
    sub.add_parser(
        "warm-up", help="compile the exact test's loops now and cache them on disk, so that no first call pays for it (make env runs it)"
    )
    return parser


def _run(args: argparse.Namespace, progress: Progress) -> int:
    if args.command == "process":
        stamp = display_path(args.out)
        if args.changed and stamps.is_current("process", stamp, stamps.process_digest(args.raw, args.out)):
            print(f"up to date: {stamp} (nothing it is built from changed since the last run here)")
            return 0
        from analysis.pipeline import process

        names, changed = process(args.raw, args.out, progress, max_seconds=args.max_seconds)
        print(f"{'published' if changed else 'unchanged:'} {len(names)} files in {display_path(args.out)}")
        stamps.record("process", stamp, stamps.process_digest(args.raw, args.out))
    elif args.command == "panel":
        from analysis.pipeline import build_panel

        names, changed = build_panel(args.packages, args.out, progress, max_seconds=args.max_seconds)
        print(f"{'published' if changed else 'unchanged:'} {len(names)} files in {display_path(args.out)}")
    elif args.command == "render":
        from analysis.render import render
        from analysis.report import quarto_binary

        quarto = args.quarto or quarto_binary()
        if quarto is None:
            print("error: the Quarto CLI was not found (looked for $QUARTO, then 'quarto' on PATH)", file=sys.stderr)
            return 1
        render(quarto, changed_only=args.changed)
    elif args.command == "report":
        from analysis.report import report

        done = report(args.raw, args.out, timeout=args.timeout, max_seconds=args.max_seconds)
        print(f"published {len(done['processed'])} files in {display_path(args.out / 'processed')}")
        print(f"executed {len(done['notebooks'])} notebooks into {display_path(args.out / 'notebooks')}")
        print(f"wrote the summary page {display_path(args.out / 'index.html')}")
        if done["site"] is None:
            print("the site was not rendered: the Quarto CLI was not found (set $QUARTO or put quarto on PATH)")
        else:
            print(f"rendered the site into {display_path(done['site'])}")
    elif args.command == "hashes":
        from analysis.data.package import stale_hashes, update_hashes

        if args.update:
            changed = update_hashes(args.raw)
            print("updated: " + (", ".join(changed) if changed else "nothing (all hashes current)"))
        else:
            stale = stale_hashes(args.raw)
            if stale:
                print(f"error: hashes out of date for: {', '.join(stale)} (review the change, then run with --update)", file=sys.stderr)
                return 1
            print("all raw file hashes match datapackage.json")
    elif args.command == "run-notebooks":
        from analysis.notebooks import notebook_paths, run_notebooks

        asked = [p.resolve() for p in args.notebooks] or notebook_paths()
        done = run_notebooks(asked, timeout=args.timeout, only_changed=args.changed)
        for path in done:
            print(f"executed {display_path(path)}")
        if len(done) < len(asked):
            print(f"up to date: {len(asked) - len(done)} notebook(s) (nothing they depend on changed)")
    elif args.command == "lab-pages":
        from analysis.lab_pages import LAB_PAGES, lab_pages_digest, write_lab_pages

        if args.changed and stamps.is_current("lab-pages", "lab-pages", lab_pages_digest()):
            print(f"up to date: {', '.join(LAB_PAGES.values())} (nothing they are built from changed since the last run here)")
            return 0
        written = write_lab_pages()
        print("wrote " + ", ".join(written) if written else f"up to date: {', '.join(LAB_PAGES.values())}")
        stamps.record("lab-pages", "lab-pages", lab_pages_digest())
    elif args.command == "install-kernel":
        from analysis.kernel import install_kernelspec

        path = install_kernelspec()
        print(f"installed the python3 kernelspec: {path.parent.name} in the environment's share/jupyter/kernels")
    elif args.command == "warm-up":
        from analysis.stats.fisher_network import warm_up

        print(f"compiled loops ready: {warm_up()} (cached on disk in analysis/stats/__pycache__)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 bad input or output problem, 2 usage error, 130 interrupted)."""
    args = _parser().parse_args(argv)
    progress = Progress(getattr(args, "out", PROCESSED_DIR))
    try:
        return _run(args, progress)
    except (AuditDataError, PublishError, TimeLimitExceeded) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # anything the checks above did not foresee still gets one line, not a traceback
        where = display_path(err.filename) if err.filename else "input/output"
        print(f"error: {where}: {err.strerror or err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"error: {progress.interrupted() if args.command == 'process' else 'interrupted'}", file=sys.stderr)
        return 130
