"""What every command module shares: how a failure is reported."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def die(message: str, code: int) -> NoReturn:
    """Print `error: message` on stderr and exit with `code` (1 failure, 2 bad usage or input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
