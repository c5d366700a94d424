"""The `policygraph` command: each subcommand parses its arguments and calls one library function.

Subcommands live in their own modules (app/cli/*.py), imported only when they run: `policygraph build`
need not import the Neo4j driver, pandas or matplotlib, and `policygraph explore` (which hands over to
Streamlit) none of them.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import click

log = logging.getLogger("policygraph")

# name -> "module:attribute" of the click command (`--help` lists them by name).
COMMANDS = {
    "build": "policygraph.app.cli.build:build_command",
    "validate": "policygraph.app.cli.build:validate",
    "init": "policygraph.app.cli.programme_files:init",
    "format": "policygraph.app.cli.programme_files:format_command",
    "sparql": "policygraph.app.cli.query:sparql",
    "query": "policygraph.app.cli.query:query",
    "trace": "policygraph.app.cli.analytics:trace",
    "drift": "policygraph.app.cli.analytics:drift",
    "export": "policygraph.app.cli.export:export_command",
    "explore": "policygraph.app.cli.explore:explore",
    "serve": "policygraph.app.cli.serve:serve",
    "neo4j": "policygraph.app.cli.neo4j:neo4j_group",
    "load": "policygraph.app.cli.neo4j:load_group",
    "cypher": "policygraph.app.cli.neo4j:cypher",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when one is asked for (by name, or all for --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), COMMANDS[cmd_name]
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--build-dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              envvar="POLICYGRAPH_BUILD", help="Where builds and stores live.")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, build_dir: Path, verbose: int) -> None:
    """policygraph: trace how a policy vision became delivered practice, with evidence."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = build_dir
