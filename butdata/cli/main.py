"""`python -m butdata <command>`: each command lives in ``butdata.cli.<name>``."""

from __future__ import annotations

import argparse
import importlib
import sys

from butdata.errors import ButdataError

COMMANDS = ("build", "check", "simulate", "decide", "conformity", "export", "synth", "editor")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m butdata", description="Coefficients des B.U.T. : base DuckDB et outils."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"butdata.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"butdata.cli.{name}":
                continue  # command not built yet
            raise
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except ButdataError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
