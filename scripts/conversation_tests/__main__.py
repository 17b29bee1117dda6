"""`make test-conversations`: python -m scripts.conversation_tests [FILE or DIR ...]

Plays the test conversations (default: tests/conversations/) against the real action server
and a fresh database (see this package's docstring for the format); exits 0 when all pass, 1
when one does not (each failure names its first difference), 2 when a file is not valid.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `python scripts/conversation_tests` without PYTHONPATH

from scripts.conversation_tests.runner import run  # noqa: E402
from scripts.conversation_tests.spec import SpecError, load_conversations  # noqa: E402

DEFAULT_DIR = ROOT / "tests" / "conversations"


def main(argv: list[str] | None = None) -> int:
    """Parse the files, run them, report."""
    parser = argparse.ArgumentParser(prog="python -m scripts.conversation_tests",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_DIR],
                        help="files or directories (default: tests/conversations)")  # fmt: skip
    parser.add_argument("-k", dest="keyword", help="only conversations whose name holds this")
    parser.add_argument("--show", action="store_true", help="print every turn of every run")
    parser.add_argument("--rasa-url", help="play against this running Rasa server instead "
                        "(its database is not emptied between conversations)")  # fmt: skip
    parser.add_argument("--database-url", help="the running assistant's database")
    args = parser.parse_args(argv)
    try:
        conversations = load_conversations(args.paths)
    except SpecError as exc:
        print(f"conversation file error: {exc}", file=sys.stderr)
        return 2
    if args.keyword:
        conversations = [c for c in conversations if args.keyword in c.name]
    if not conversations:
        print("no conversations to run", file=sys.stderr)
        return 2
    passed = run(conversations, sys.stdout, rasa_url=args.rasa_url,
                 database_url=args.database_url, show=args.show)  # fmt: skip
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
