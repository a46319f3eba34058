"""`python -m butdata editor add|remove|list`: editor accounts of the shared mode.

The password is asked twice without echo (``getpass``), or read from the first line of the
standard input with ``--password-stdin`` (scripts, tests); only its salted scrypt hash is
written, into ``.streamlit/secrets.toml`` (or ``--secrets PATH`` / ``$BUTDATA_SECRETS``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from butdata import passwords
from butdata.errors import ButdataError

HELP = (
    "Comptes des éditeurs du mode partagé : add NOM (demande le mot de passe, n'écrit que son "
    "empreinte), remove NOM, list."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("add", "remove", "list"), help="add, remove ou list")
    parser.add_argument("name", nargs="?", default=None, metavar="NOM", help="nom de l'éditeur")
    parser.add_argument(
        "--secrets",
        type=Path,
        default=None,
        help="fichier des secrets (défaut : .streamlit/secrets.toml ou $BUTDATA_SECRETS)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="lire le mot de passe sur la première ligne de l'entrée standard (sans invite)",
    )


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    passwords.check_password(first)
    if getpass.getpass("Mot de passe (confirmation) : ") != first:
        raise ButdataError("les deux mots de passe diffèrent : rien n'a été écrit")
    return first


def run(args: argparse.Namespace) -> int:
    path = args.secrets or passwords.secrets_path()
    if args.action == "list":
        editors = passwords.load_editors(path)
        if not editors:
            print(f"Aucun éditeur dans {path}")
        for name, _ in sorted(editors.values()):
            print(name)
        return 0
    if not args.name:
        raise ButdataError(f"editor {args.action} : le nom de l'éditeur manque")
    if args.action == "remove":
        if passwords.remove_editor(args.name, path):
            print(f"Éditeur « {args.name} » retiré de {path}")
            return 0
        raise ButdataError(f"aucun éditeur « {args.name} » dans {path}")
    name = passwords.check_name(args.name)
    existed = passwords.normalize_name(name) in passwords.load_editors(path)
    passwords.add_editor(name, _password(args.password_stdin), path)
    verb = "mot de passe changé pour" if existed else "éditeur ajouté :"
    print(f"{verb.capitalize()} « {name} » ({path}, empreinte scrypt salée, fichier 0600)")
    return 0
