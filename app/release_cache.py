"""What the explorer keeps in a build's release folder (beside its core graph) to start faster: the
Overview's tables (JSON, this module) and the analytics snapshot (app/snapshot.py); where they go, how
they are written (whole or not at all) and which code they must come from.

Light on purpose (json, hashlib, no rdflib, pandas or networkx): the explorer's first page shows the
stored Overview before the pages' heavy libraries are even imported. docs/decisions/0007.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from graph.results import QueryResult

log = logging.getLogger(__name__)

OVERVIEW_NAME = "explorer-overview.json"
ROOT = Path(__file__).resolve().parents[1]  # the folder holding the app and graph packages
# The modules whose objects the analytics snapshot holds (a change to any of them: snapshots are remade).
MODEL_SOURCES = ("app/analysis.py", "app/snapshot.py", "app/release_cache.py", "graph/case_model.py",
                 "graph/indexed_store.py", "graph/traces.py")
OVERVIEW_SOURCES = (*MODEL_SOURCES, "app/overview.py", "app/page_data.py", "app/prepare.py", "graph/results.py")


@dataclass(frozen=True)
class Overview:
    programme: str
    description: str
    documents: QueryResult
    intents: QueryResult
    services: QueryResult
    timeline: QueryResult
    coverage: QueryResult


_TABLES = ("documents", "intents", "services", "timeline", "coverage")


@cache
def code_fingerprint(sources: tuple[str, ...] = MODEL_SOURCES) -> str:
    """The code stored results come from: these source files, rdflib, networkx and Python (read, not
    imported)."""
    digest = hashlib.sha256(sys.version.encode())
    for package in ("rdflib", "networkx"):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "unknown"
        digest.update(f"{package} {version}".encode())
    for name in sources:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def release_manifest(build_dir: Path) -> tuple[Path, dict[str, object]]:
    """The build's release folder (where `build_dir/manifest.json` points) and the manifest in it: read
    together, so they belong together even while a rebuild switches `current`."""
    path = (build_dir / "manifest.json").resolve()
    try:
        manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no build in {build_dir}; run `policygraph build` first") from None
    return path.parent, manifest


def core_of(release: Path, manifest: dict[str, object]) -> tuple[Path, str]:
    """A release's graph without the activity cube (which can be millions of triples), and its hash."""
    core = release / "core.nt"
    if core.exists():
        return core, str(manifest["core_nt_sha256"])
    return release / "graph.nt", str(manifest["graph_nt_sha256"])


def core_release(build_dir: Path) -> tuple[Path, str]:
    """The build's core graph (its path in the release folder, where the explorer's files go) and its hash."""
    return core_of(*release_manifest(build_dir))


STALE_S = 3600.0  # a temporary file this old was left by a killed explorer
_UNFINISHED: set[Path] = set()  # temporary files being written now (removed if the process exits first)


@atexit.register
def _remove_unfinished() -> None:
    for tmp in list(_UNFINISHED):
        tmp.unlink(missing_ok=True)


def _sweep(target: Path) -> None:
    """Remove temporary files of `target` left by a killed explorer (a snapshot's is ~70 MB)."""
    for old in target.parent.glob(f".{target.name}.*"):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_S:
                old.unlink()


def write_atomic(target: Path, *chunks: bytes) -> bool:
    """Write `target` whole or not at all (a temporary file beside it, then renamed); False, logged, if the
    folder is not writable or the disk is full (these files are a cache: the explorer works without them,
    only slower to start)."""
    tmp: Path | None = None
    try:
        _sweep(target)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        tmp = Path(name)
        _UNFINISHED.add(tmp)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        tmp.chmod(0o644)
        tmp.replace(target)
    except OSError as exc:
        log.info("%s not written (%s): the explorer works without it, only slower to start", target, exc)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        return False
    finally:
        if tmp is not None:
            _UNFINISHED.discard(tmp)
    return True


def stored_overview(build_dir: Path) -> Overview | None:
    """The Overview the explorer stored for this build's graph with this code (`store_overview`), or None."""
    try:
        ntriples, sha256 = core_release(build_dir)
        data = json.loads(ntriples.with_name(OVERVIEW_NAME).read_text(encoding="utf-8"))
        if data["core_nt_sha256"] != sha256 or data["code"] != code_fingerprint(OVERVIEW_SOURCES):
            return None
        tables = {name: QueryResult(list(t["columns"]), [tuple(row) for row in t["rows"]], bool(t["truncated"]),
                                    list(t["notes"])) for name, t in data["tables"].items()}
        return Overview(str(data["programme"]), str(data["description"]), **{n: tables[n] for n in _TABLES})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("stored overview of %s ignored (%s: %s)", build_dir, type(exc).__name__, exc)
        return None


def store_overview(ntriples: Path, sha256: str, overview: Overview) -> bool:
    """Keep the Overview of the build whose core graph is `ntriples` (hash `sha256`) for the next start."""
    record = {"core_nt_sha256": sha256, "code": code_fingerprint(OVERVIEW_SOURCES), "programme": overview.programme,
              "description": overview.description, "tables": {n: asdict(getattr(overview, n)) for n in _TABLES}}
    return write_atomic(ntriples.with_name(OVERVIEW_NAME), json.dumps(record, ensure_ascii=False).encode())
