"""The explorer's analytics snapshot: a build's loaded model (its tables computed) and trace graph, pickled
once into the build's release folder, next to its core graph, so that later explorer starts load it
(national programme: ~1 s) instead of parsing the graph and computing them again (~6.5 s).

The explorer writes it after its first parse of a build (`policygraph build` does not: its time is
benchmarked against a raw bulk load), atomically (temporary file, then rename), and skips it with a log
line when the folder is not writable. It is read only when its recorded core graph hash is the
manifest's and the code that made it (the modules whose objects it holds, rdflib, networkx, Python) is
the code running now (app/release_cache.py: `code_fingerprint`).

Pickle runs code when it loads, so a snapshot is read only if this user's own policygraph wrote it: every
file carries an HMAC-SHA256 of its header and body, with a key created once (random, mode 0600) under
$XDG_CACHE_HOME/policygraph (default ~/.cache/policygraph). A missing key, a bad or missing signature, a
truncated file, another graph or other code: the snapshot is ignored (logged with the reason) and the
build is parsed. docs/decisions/0007-explorer-cold-start.md says why and what was measured.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import secrets
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef

from app.analysis import LoadedBuild, loaded_build, parse_build
from app.release_cache import code_fingerprint, write_atomic

log = logging.getLogger(__name__)

SNAPSHOT_NAME = "explorer-snapshot.bin"
MAGIC = b"policygraph analytics snapshot 1\n"
KEY_NAME = "snapshot.key"
KEY_BYTES = 32
_MAC_BYTES = hashlib.sha256().digest_size
_LENGTH_BYTES = 8


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/policygraph, or ~/.cache/policygraph."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "policygraph"


# --- the key -------------------------------------------------------------------------------------------


def _read_key(path: Path) -> bytes | None:
    """The key if it is a regular file of this user, readable by no one else, of the right length."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        problem = ("not a regular file" if not stat.S_ISREG(info.st_mode)
                   else "owned by another user" if info.st_uid != os.getuid()
                   else f"mode {stat.S_IMODE(info.st_mode):04o}: others may read it" if info.st_mode & 0o077
                   else None)
        key = f.read(KEY_BYTES + 1) if problem is None else b""
    if problem is None and len(key) != KEY_BYTES:
        problem = f"{len(key)} bytes instead of {KEY_BYTES}"
    if problem:
        log.warning("snapshot key %s refused (%s): snapshots are neither read nor written; delete it to have a "
                    "new one made", path, problem)
        return None
    return key


def _create_key(path: Path) -> None:
    """A new random key, mode 0600, put in place atomically (a concurrent creator's key wins if first)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mkstemp: mode 0600
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            path.hardlink_to(tmp)
    finally:
        tmp.unlink()


def signing_key(create: bool) -> bytes | None:
    """This user's snapshot key (made if `create` and missing); None, logged, when there is none to use."""
    try:
        path = cache_dir() / KEY_NAME
        try:
            return _read_key(path)
        except FileNotFoundError:
            if not create:
                log.info("no snapshot key %s yet", path)
                return None
            _create_key(path)
            return _read_key(path)
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home folder
        log.warning("snapshot key unusable (%s): snapshots are neither read nor written", exc)
        return None


# --- what a snapshot must match ----------------------------------------------------------------------------


def snapshot_path(ntriples: Path) -> Path:
    """Where the snapshot of a build whose core graph is `ntriples` goes: beside it, in its release folder."""
    return ntriples.with_name(SNAPSHOT_NAME)


# --- pickling rdflib terms fast ------------------------------------------------------------------------------


def _literal(text: str, language: str | None, datatype: URIRef | None, value: object, ill_typed: bool | None,
             ) -> Literal:
    """A Literal as it was, without parsing its lexical form again (Literal() does; ~25% of a load)."""
    lit = str.__new__(Literal, text)
    lit._language, lit._datatype, lit._value, lit._ill_typed = language, datatype, value, ill_typed
    return lit


def _reduce_literal(lit: Literal) -> tuple[Callable[..., Literal], tuple[object, ...]]:
    return _literal, (str(lit), lit.language, lit.datatype, lit.value, lit.ill_typed)


def _reduce_term(term: URIRef | BNode) -> tuple[Callable[..., object], tuple[object, ...]]:
    return str.__new__, (type(term), str(term))  # no URI check: the terms were checked when first parsed


_TERMS: dict[type, Callable[[Any], tuple[Callable[..., object], tuple[object, ...]]]] = {
    URIRef: _reduce_term, BNode: _reduce_term, Literal: _reduce_literal}


def _pickled(loaded: LoadedBuild) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_TERMS}
    pickler.dump(loaded)
    return out.getvalue()


# --- writing and reading ----------------------------------------------------------------------------------


def _header(sha256: str, programme: str) -> bytes:
    return json.dumps({"core_nt_sha256": sha256, "code": code_fingerprint(), "programme": programme},
                      sort_keys=True).encode()


def _mac(key: bytes, header: bytes, body: bytes | memoryview) -> bytes:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(len(header).to_bytes(_LENGTH_BYTES, "big"))
    mac.update(header)
    mac.update(body)
    return mac.digest()


def write_snapshot(ntriples: Path, sha256: str, loaded: LoadedBuild) -> bool:
    """Write the snapshot of a loaded build (completed first); False, logged, if it could not be written."""
    target = snapshot_path(ntriples)
    if not os.access(target.parent, os.W_OK):
        log.info("snapshot not written: %s is not writable (later starts parse the build again)", target.parent)
        return False
    key = signing_key(create=True)
    if key is None:
        return False
    try:
        header = _header(sha256, loaded.programme)
        body = _pickled(loaded.complete())
    except OSError as exc:  # the code's fingerprint: its sources unreadable
        log.warning("snapshot not written: cannot tell which code makes it (%s)", exc)
        return False
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        log.warning("snapshot not written: the loaded build could not be pickled (%s)", exc)
        return False
    if not write_atomic(target, MAGIC + _mac(key, header, body) + len(header).to_bytes(_LENGTH_BYTES, "big")
                        + header, body):
        return False
    log.info("wrote the analytics snapshot %s (%.0f MB)", target, target.stat().st_size / 1e6)
    return True


def _header_problem(header: bytes, sha256: str) -> str | None:
    try:
        fields = json.loads(header)
    except ValueError:
        return "unreadable header (truncated?)"
    if not isinstance(fields, dict) or fields.get("core_nt_sha256") != sha256:
        return "made from another graph (the build changed)"
    if fields.get("code") != code_fingerprint():
        return "made by other code (policygraph, rdflib, networkx or Python changed)"
    return None


def _body(data: bytes, sha256: str) -> tuple[memoryview | None, str]:
    """The pickled body if the file is a snapshot of this graph by this code, signed with this user's key;
    else None and why not."""
    start = len(MAGIC) + _MAC_BYTES + _LENGTH_BYTES
    if not data.startswith(MAGIC) or len(data) < start:
        return None, "not a snapshot, or truncated"
    size = int.from_bytes(data[start - _LENGTH_BYTES:start], "big")
    header = data[start:start + size]
    problem = _header_problem(header, sha256)
    key = signing_key(create=False) if problem is None else None
    if problem is None and key is None:
        problem = "no key to check its signature with"
    body = memoryview(data)[start + size:]
    if key is not None and not hmac.compare_digest(data[len(MAGIC):len(MAGIC) + _MAC_BYTES],
                                                   _mac(key, header, body)):
        problem = "bad signature (not written by this user's policygraph, changed, or truncated)"
    return (None, problem) if problem else (body, "")


def read_snapshot(ntriples: Path, sha256: str) -> LoadedBuild | None:
    """The loaded build from its snapshot, or None (logged with the reason) if there is no usable one."""
    path = snapshot_path(ntriples)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.info("no analytics snapshot in %s yet: parsing the build", path.parent)
        return None
    except OSError as exc:
        log.warning("analytics snapshot %s unreadable (%s): parsing the build", path, exc)
        return None
    try:
        body, why = _body(data, sha256)
    except OSError as exc:  # the code's fingerprint: its sources unreadable
        body, why = None, f"cannot tell which code made it ({exc})"
    if body is None:
        log.warning("analytics snapshot %s ignored: %s; parsing the build", path, why)
        return None
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects: with the collector on, the load took 8x longer (12 s, national)
    try:
        loaded = pickle.loads(body)  # noqa: S301 - signed by this user's key, checked above
    except Exception as exc:  # noqa: BLE001 - signed but unloadable (e.g. a library changed): parse instead
        log.warning("analytics snapshot %s ignored: %s: %s; parsing the build", path, type(exc).__name__, exc)
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(loaded, LoadedBuild):
        log.warning("analytics snapshot %s ignored: it holds a %s; parsing the build", path, type(loaded).__name__)
        return None
    log.info("loaded the analytics snapshot %s", path)
    return loaded


Parsed = tuple[Path, str]  # the core graph a build was parsed from now, and its hash


def explorer_build(build_dir: Path) -> tuple[LoadedBuild, Parsed | None]:
    """The build as the explorer loads it: from its snapshot when usable, else parsed. With it, when it was
    parsed now, what it was parsed from: the caller completes it and writes its snapshot (`write_snapshot`)
    when it has the time."""
    parsed: list[Parsed] = []

    def load(ntriples: Path, sha256: str, programme: str) -> LoadedBuild:
        found = read_snapshot(ntriples, sha256)
        if found is None:
            found = parse_build(ntriples, sha256, programme)
            parsed.append((ntriples, sha256))
        return found

    loaded = loaded_build(build_dir, load)
    return loaded, parsed[0] if parsed else None
