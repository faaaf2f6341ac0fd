"""The `breakouts` command's entry point: Ctrl-C at any moment writes nothing and says so.

It imports nothing heavy itself, so that Ctrl-C while Python loads the tool is caught too.
"""

import signal
import sys

INTERRUPTED = 130  # Typer's exit status for Ctrl-C outside a solve (never the tool's own)
FAILED = 1  # the command line's status for anything else, as in scripts/cli.py


def main() -> None:
    """Run the command line; Ctrl-C ends it with exit 1 and "interrupted: nothing written".

    Once the command has ended, Ctrl-C is ignored: its outputs are written whole, and an
    interrupt while Python shuts down would end the process by the signal instead.
    """
    try:
        from scripts.cli import app

        app()
    except KeyboardInterrupt:
        interrupted()
    except OSError as failure:  # a disk full or a file taken away while writing, say
        where = f": {failure.filename}" if failure.filename else ""
        print(f"error: {failure.strerror or failure}{where}", file=sys.stderr)
        raise SystemExit(FAILED) from None
    except SystemExit as leaving:
        if leaving.code == INTERRUPTED:
            interrupted()
        raise
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def interrupted() -> None:
    """Say that nothing was written, and exit 1."""
    print("interrupted: nothing written", file=sys.stderr)
    raise SystemExit(FAILED)


if __name__ == "__main__":
    main()
