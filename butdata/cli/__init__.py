"""`python -m butdata <command>`: one module per command, each with HELP, add_arguments(parser)
and run(args) -> exit code; ``main`` dispatches."""

from butdata.cli.main import main

__all__ = ["main"]
