"""A build is a `Release`: the one object that knows a build folder's layout, and the door notebooks use.

Layout of a build folder (written by policygraph.app.build)::

    build/releases/<id>/{graph.ttl, graph.nt, core.nt, store/, manifest.json, overview.json, queries/}
    build/current -> releases/<id>        (replaced atomically at the very end of a build)
    build/graph.ttl, graph.nt, core.nt, store, manifest.json -> current/...
    build/neo4j/                          (the local Neo4j server's data, if one is started)

`core.nt` is `graph.nt` without the activity cube (what the model reads); `overview.json` the first page of the
explorer; `queries/` the programme's own named queries. A release never changes once written, so what is read
from it is read once: the manifest when it is opened, the store when first queried (kept open), the model when
first asked for (at most MAX_MODELS kept, the least recently used dropped).

    import policygraph
    g = policygraph.open("build")               # the current release of that build folder
    g.query("drift")                            # a pandas DataFrame; also g.sparql, g.cypher, g.trace, g.drift
"""

from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from policygraph.queries import NamedQuery, with_programme

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from policygraph.graph.model import ProgrammeModel
    from policygraph.graph.neo4j_load import LoadReport
    from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore
    from policygraph.graph.oxigraph_store import OxigraphStore
    from policygraph.graph.results import QueryResult

RELEASES, CURRENT = "releases", "current"
MANIFEST, OVERVIEW, QUERIES = "manifest.json", "overview.json", "queries"
GRAPH_NT, GRAPH_TTL, CORE_NT, STORE = "graph.nt", "graph.ttl", "core.nt", "store"
LINKS = (GRAPH_TTL, GRAPH_NT, CORE_NT, STORE, MANIFEST)  # what build/ links to the current release
NEO4J_DIR = "neo4j"
MAX_OPEN_RELEASES = 4  # releases kept open (their store handles); a release is small until its model is loaded
MAX_MODELS = 2  # loaded models kept (a national programme's takes ~1 GB)
V = TypeVar("V")


class NoBuild(FileNotFoundError):
    """There is no (readable) build where one was expected."""


def no_build(where: Path) -> NoBuild:
    return NoBuild(f"no build in {where}; run `policygraph build` first (for this folder: "
                   f"`policygraph --build-dir {where} build --data DIR`)")


class Release:
    """One release of a build folder. Use `Release.current(build_dir)` or `Release.open(release_dir)`."""

    def __init__(self, path: Path, manifest: Mapping[str, Any]) -> None:
        self.path = path
        self.manifest = dict(manifest)
        self._lock = threading.Lock()

    @classmethod
    def current(cls, build_dir: Path) -> Release:
        """The release `build_dir` points at now (a later build makes a new one; this one stays readable)."""
        try:
            path = (Path(build_dir) / MANIFEST).resolve(strict=True).parent
        except (FileNotFoundError, NotADirectoryError, RuntimeError):  # RuntimeError: a symlink loop
            raise no_build(Path(build_dir)) from None
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> Release:
        """The release in folder `path` (kept open while recently used: a release never changes)."""
        return _RELEASES.get(Path(path).resolve())

    @classmethod
    def _read(cls, path: Path) -> Release:
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise no_build(path) from None
        except (OSError, ValueError) as exc:
            raise NoBuild(f"the build in {path} is unreadable ({exc}); rebuild it") from exc
        if not isinstance(manifest, dict) or "programme" not in manifest:
            raise NoBuild(f"the build in {path} has no readable manifest; rebuild it")
        return cls(path, manifest)

    def __repr__(self) -> str:
        return f"Release({self.programme!r}, {str(self.path)!r}, sha256={self.sha256[:12]!r})"

    # --- what the manifest says -----------------------------------------------------------------------

    @property
    def programme(self) -> str:
        return str(self.manifest["programme"])

    @property
    def sha256(self) -> str:
        """The hash of graph.nt: what identifies the build's content."""
        return str(self.manifest.get("graph_nt_sha256", ""))

    @property
    def core_sha256(self) -> str:
        return str(self.manifest.get("core_nt_sha256") or self.sha256)

    @property
    def version(self) -> str:
        """The policygraph version that made the release."""
        return str(self.manifest.get("policygraph_version", "unknown"))

    @property
    def built_at(self) -> str:
        """When the release was made (ISO 8601, UTC), or 'unknown'."""
        return str(self.manifest.get("built_at", "unknown"))

    @property
    def data_dir(self) -> Path | None:
        found = self.manifest.get("data_dir")
        return Path(found) if found else None

    # --- where things are -----------------------------------------------------------------------------

    @property
    def build_dir(self) -> Path:
        """The build folder this release belongs to (the release folder itself when opened on its own)."""
        return self.path.parent.parent if self.path.parent.name == RELEASES else self.path

    @property
    def graph_nt(self) -> Path:
        return self.path / GRAPH_NT

    @property
    def graph_ttl(self) -> Path:
        return self.path / GRAPH_TTL

    @property
    def core_nt(self) -> Path:
        """The graph without the activity cube (which can be millions of triples)."""
        core = self.path / CORE_NT
        return core if core.exists() else self.graph_nt

    @property
    def store_dir(self) -> Path:
        return self.path / STORE

    @property
    def overview_file(self) -> Path:
        return self.path / OVERVIEW

    @property
    def queries_dir(self) -> Path:
        """The programme's own named queries, copied into the release by the build."""
        return self.path / QUERIES

    @property
    def neo4j_dir(self) -> Path:
        """Where `policygraph neo4j start` keeps the local server of this build folder."""
        return self.build_dir / NEO4J_DIR

    # --- stores and the model (each made once per release) ---------------------------------------------

    def queries(self) -> dict[str, NamedQuery]:
        """The named queries of this release: the shipped ones and the programme's own."""
        return self._once("_queries", lambda: with_programme(self.queries_dir))

    def _once(self, name: str, make: Callable[[], V]) -> V:
        with self._lock:
            if name not in self.__dict__:
                self.__dict__[name] = make()
            found: V = self.__dict__[name]
            return found

    def store(self) -> OxigraphStore:
        """The release's embedded store, read-only, opened once (several threads may query it)."""
        from policygraph.graph.oxigraph_store import OxigraphStore  # noqa: PLC0415 - only when queried

        def make() -> OxigraphStore:
            try:
                return OxigraphStore(self.store_dir)
            except FileNotFoundError:
                raise no_build(self.build_dir) from None

        return self._once("_store", make)

    def neo4j_settings(self) -> Neo4jSettings:
        """Where Cypher goes: NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD), else this build folder's local server."""
        from policygraph.graph.neo4j_store import Neo4jSettings  # noqa: PLC0415 - the driver only for Cypher

        return Neo4jSettings.from_env(local_data_dir=self.neo4j_dir)

    def neo4j(self) -> Neo4jStore:
        """A Neo4j store (one driver, a connection pool) for the current settings, kept while they stay the same
        (a driver reconnects by itself when the server restarts)."""
        from policygraph.graph.neo4j_store import Neo4jStore  # noqa: PLC0415 - the driver only for Cypher

        settings = self.neo4j_settings()
        with self._lock:
            kept: Neo4jStore | None = self.__dict__.get("_neo4j")
            if kept is not None and kept.settings == settings:
                return kept
            if kept is not None:
                kept.close()
            made = self.__dict__["_neo4j"] = Neo4jStore(settings)
            return made

    def model(self) -> ProgrammeModel:
        """The programme's model, parsed from core.nt on first use (shared by every caller of this release)."""
        return _MODELS.get(self.core_sha256, self._load_model)

    def _load_model(self) -> ProgrammeModel:
        from policygraph.graph.indexed_store import load_ntriples  # noqa: PLC0415 - rdflib only for the model
        from policygraph.graph.model import ProgrammeModel  # noqa: PLC0415

        # No cyclic garbage collection while millions of objects are made (each full collection would walk
        # them all), then the model frozen out of later collections (a full collection over a national model
        # stalled whichever page run triggered it).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return ProgrammeModel(load_ntriples(self.core_nt))
        finally:
            if collecting:
                gc.freeze()
                gc.enable()

    def load_neo4j(self, settings: Neo4jSettings | None = None, *,
                   progress: Callable[[int, int], None] | None = None) -> LoadReport:
        """Push this release into Neo4j (`policygraph load neo4j`); afterwards Neo4j holds exactly it."""
        from policygraph.graph.neo4j_load import load_ntriples  # noqa: PLC0415 - the driver only for Cypher

        return load_ntriples(settings or self.neo4j_settings(), self.graph_nt,
                             {"build": self.sha256, "programme": self.programme}, progress=progress)

    def close(self) -> None:
        """Close the Neo4j driver, if one was made (the embedded store closes when no query holds it)."""
        neo4j = self.__dict__.pop("_neo4j", None)
        if neo4j is not None:
            neo4j.close()
        self.__dict__.pop("_store", None)

    # --- the notebook API: each a thin call of the function the CLI calls too --------------------------

    def sparql(self, text: str, *, timeout: float = 30.0, limit: int = 10_000, **params: str) -> pd.DataFrame:
        """A read-only SPARQL query (parameters bound as `?name`), as a DataFrame."""
        from policygraph.app.read.queries import run_sparql  # noqa: PLC0415

        return _frame(run_sparql(self, text, params, timeout_s=timeout, max_rows=limit))

    def cypher(self, text: str, *, timeout: float = 30.0, limit: int = 10_000, **params: str) -> pd.DataFrame:
        """A read-only Cypher query on Neo4j (parameters bound as `$name`), as a DataFrame."""
        from policygraph.app.read.queries import run_cypher  # noqa: PLC0415

        return _frame(run_cypher(self, text, params, timeout_s=timeout, max_rows=limit))

    def query(self, name: str, *, engine: str = "sparql", **params: str) -> pd.DataFrame:
        """A named query (`policygraph query --list`), as a DataFrame."""
        from policygraph.app.read.queries import run_named  # noqa: PLC0415

        return _frame(run_named(self, name, params, engine=engine))

    def trace(self, intent: str, *, service: str | None = None, period: str | None = None) -> pd.DataFrame:
        """Vision to practice from an intent or document, one row per hop with its status and evidence."""
        from policygraph.app.read.tables import run_trace, trace_table  # noqa: PLC0415

        return _frame(trace_table(run_trace(self, intent, service=service, period=period)))

    def drift(self, service: str | None = None) -> pd.DataFrame:
        """The drift measures per service and period, with coverage and the cells behind each change."""
        from policygraph.app.read.tables import drift_table  # noqa: PLC0415

        return _frame(drift_table(self, service))

    def networkx(self, kind: str = "trace") -> nx.DiGraph[str] | nx.MultiDiGraph[str]:
        """'trace': the directed vision-to-practice graph (node attrs: label, kind, service, period; edge attrs:
        relation, status, evidence); 'graph': the whole core graph, resources as nodes, links as edges."""
        if kind == "trace":
            return self.model().trace_graph
        if kind == "graph":
            from policygraph.graph.projection import to_networkx  # noqa: PLC0415

            return to_networkx(self.model().graph)
        raise ValueError(f"unknown kind {kind!r}; use 'trace' or 'graph'")

    def export(self, fmt: str, path: Path | str | None = None, **view: Any) -> bytes:
        """A view (as `policygraph export` makes it: view='vision' or 'neighbourhood', intent=, service=, ...) in
        `fmt`; written to `path` too when given."""
        from policygraph.app.exports import export_view  # noqa: PLC0415

        data = export_view(self, fmt, **view)
        if path is not None:
            Path(path).write_bytes(data)
        return data


def _frame(result: QueryResult) -> pd.DataFrame:
    import pandas as pd  # noqa: PLC0415 - pandas only for notebooks and the explorer

    frame = pd.DataFrame(result.rows if result.values is None else result.values, columns=result.columns)
    frame.attrs["notes"] = list(result.notes)
    frame.attrs["truncated"] = result.truncated
    return frame


class _Releases:
    """Open releases by folder, the least recently used dropped beyond MAX_OPEN_RELEASES, a deleted one never
    returned (a build keeps two releases and deletes older ones)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._open: OrderedDict[Path, Release] = OrderedDict()

    def get(self, path: Path) -> Release:
        with self._lock:
            for key in [k for k in self._open if not (k / MANIFEST).exists()]:
                self._open.pop(key).close()
            found = self._open.get(path)
            if found is None:
                found = self._open[path] = Release._read(path)
                while len(self._open) > self.size:
                    self._open.popitem(last=False)[1].close()
            self._open.move_to_end(path)
            return found

    def paths(self) -> list[Path]:
        with self._lock:
            return list(self._open)

    def clear(self) -> None:
        with self._lock:
            while self._open:
                self._open.popitem()[1].close()


class _Models:
    """Loaded models by core graph hash: at most `size`, each loaded once (a second caller waits for it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self._loaded: OrderedDict[str, ProgrammeModel] = OrderedDict()

    def get(self, key: str, load: Callable[[], ProgrammeModel]) -> ProgrammeModel:
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
            model = load()
            with self._lock:
                self._loaded[key] = model
                self._loading.pop(key, None)
                while len(self._loaded) > self.size:
                    self._loaded.popitem(last=False)
            return model

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._loaded)

    def clear(self) -> None:
        with self._lock:
            self._loaded.clear()


_RELEASES = _Releases(MAX_OPEN_RELEASES)
_MODELS = _Models(MAX_MODELS)


def open_releases() -> list[Path]:
    """The release folders kept open, least recently used first."""
    return _RELEASES.paths()


def loaded_models() -> list[str]:
    """The core graph hashes of the models kept loaded, least recently used first."""
    return _MODELS.keys()


def forget() -> None:
    """Close every open release and drop every loaded model (tests; a long-running process may call it too)."""
    _RELEASES.clear()
    _MODELS.clear()
