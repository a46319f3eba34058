"""`python -m butdata <command>`: each command lives in ``butdata.cli.<name>``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import duckdb

from butdata.errors import ButdataError, os_error, printable

COMMANDS = (
    "build",
    "import",
    "check",
    "simulate",
    "decide",
    "conformity",
    "export",
    "synth",
    "editor",
)
MODULES = {"import": "import_files"}  # a command whose name is a Python keyword


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m butdata", description="Coefficients des B.U.T. : base DuckDB et outils."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"butdata.cli.{MODULES.get(name, name)}")
        except ModuleNotFoundError as exc:
            if exc.name == f"butdata.cli.{MODULES.get(name, name)}":
                continue  # command not built yet
            raise
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except ButdataError as exc:
        return _fail(str(exc))
    except OSError as exc:  # named with its file, in French
        return _fail(str(os_error(exc)))
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(f"base illisible ({printable(first)}) : reconstruisez-la avec `build`")
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: a French line, never a traceback
        if os.environ.get("BUTDATA_DEBUG"):
            raise
        return _fail(
            f"erreur inattendue ({type(exc).__name__}) ; relancez avec BUTDATA_DEBUG=1 pour "
            "le détail et signalez-la"
        )


def _fail(message: str) -> int:
    print(f"erreur : {printable(message)}", file=sys.stderr)
    return 1
