"""Command-line entry point: ``python -m analysis process|hashes|run-notebooks``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.data.errors import AuditDataError
from analysis.data.paths import PROCESSED_DIR, RAW_DIR, display_path


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 bad input, 2 usage error)."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("process", help="validate the raw files and write the processed ones")
    p.add_argument("--raw", type=Path, default=RAW_DIR, help="folder of raw CSVs (default: data/raw)")
    p.add_argument("--out", type=Path, default=PROCESSED_DIR, help="folder for processed CSVs (default: data/processed)")
    h = sub.add_parser("hashes", help="check (or --update) the sha256 of each raw file in datapackage.json")
    h.add_argument("--raw", type=Path, default=RAW_DIR)
    h.add_argument("--update", action="store_true", help="record the current hashes (after a reviewed change)")
    n = sub.add_parser("run-notebooks", help="execute the notebooks in place, in order")
    n.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    n.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)

    try:
        if args.command == "process":
            from analysis.pipeline import process

            written = process(args.raw, args.out)
            print(f"wrote {len(written)} files to {display_path(args.out)}")
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
            from analysis.notebooks import run_notebooks

            for path in run_notebooks(args.notebooks or None, timeout=args.timeout):
                print(f"executed {display_path(path)}")
    except AuditDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except FileNotFoundError as err:
        print(f"error: {err.filename or err}: file not found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
