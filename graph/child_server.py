"""Imported by the fork server of policygraph.graph.child only (named in its preload list; nothing else
imports it): its children do not re-run the parent's main module.

multiprocessing re-runs the parent's `__main__` in every child, by name or by path. The functions our children
run live in importable modules, never in `__main__`; and under Streamlit `__main__` is the page script, which a
child would run again (reading the build from the environment, drawing the page in bare mode) before each query.
"""

from __future__ import annotations

from collections.abc import Mapping
from multiprocessing import spawn
from typing import Any

_prepare = spawn.prepare
MAIN_KEYS = ("init_main_from_name", "init_main_from_path")


def _prepare_without_main(data: Mapping[str, Any]) -> None:
    _prepare({key: value for key, value in data.items() if key not in MAIN_KEYS})


spawn.prepare = _prepare_without_main
