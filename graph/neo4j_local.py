"""What a local Neo4j server keeps in its folder (`<build-dir>/neo4j`) besides its data: the settings it was
started with, its password, how its memory is sized, and the probe that tells whether it answers.

- `server.json`: port, heap and page cache of the last start. It outlives `neo4j stop`, so that `neo4j status`,
  `cypher` and `neo4j start` keep to this folder's port instead of guessing 7687 (on a shared machine that
  may be another user's server).
- `password`: the password of the server's `neo4j` user, generated on the first start, mode 0600, never
  printed or logged. The first start also writes its salted hash into `data/dbms/auth.ini`, which Neo4j reads
  when it creates its system database, so the server never answers with the default password.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

log = logging.getLogger(__name__)

SETTINGS_FILE = "server.json"
PASSWORD_FILE = "password"  # noqa: S105 - the file's name, not a password
LOCAL_USER = "neo4j"
DEFAULT_PORT = 7687
MIB = 1024 * 1024
OWNER_ONLY = 0o600
# How Neo4j 5.26 stores a credential (SystemGraphCredential, version 1): SHA-256 over salt + password, then
# over the digest again, 1024 rounds in all; a 32-byte salt.
_HASH_ROUNDS = 1024
_SALT_BYTES = 32

# Heap: the transactions' state lives there (Neo4j lets transactions use 70% of it); 512 MB was too small to
# empty a loaded graph. Page cache: the store's files, about the size of the build's graph.nt.
HEAP_MIN_MB, HEAP_MAX_MB = 512, 4096
PAGECACHE_MIN_MB, PAGECACHE_MAX_MB = 128, 4096
PAGECACHE_DEFAULT_MB = 512  # when the graph's size is not known


@dataclass(frozen=True)
class ServerSettings:
    """How the local server of a folder was last started."""

    port: int = DEFAULT_PORT
    heap_mb: int = 1024
    pagecache_mb: int = PAGECACHE_DEFAULT_MB


def machine_memory_bytes() -> int:
    """Physical memory of this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_for(total_bytes: int, graph_bytes: int | None) -> tuple[int, int]:
    """(heap MB, page cache MB) for a machine with `total_bytes` of memory and a graph.nt of `graph_bytes`:
    heap a quarter of the memory, page cache the graph's size, both within their bounds and together at
    most half of the memory."""
    total_mb = total_bytes // MIB
    heap = max(HEAP_MIN_MB, min(HEAP_MAX_MB, total_mb // 4))
    wanted = PAGECACHE_DEFAULT_MB if graph_bytes is None else -(-graph_bytes // MIB)
    pagecache = max(PAGECACHE_MIN_MB, min(PAGECACHE_MAX_MB, wanted, total_mb // 2 - heap))
    return heap, pagecache


def remember(data_dir: Path, settings: ServerSettings) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / (SETTINGS_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(settings)) + "\n", encoding="utf-8")
    tmp.replace(data_dir / SETTINGS_FILE)


def remembered(data_dir: Path) -> ServerSettings | None:
    """The settings of the last start in `data_dir`, or None if it never ran (or the file is unreadable)."""
    path = data_dir / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerSettings(port=int(data["port"]), heap_mb=int(data["heap_mb"]),
                              pagecache_mb=int(data["pagecache_mb"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring unreadable %s", path)
        return None


def read_password(data_dir: Path) -> str | None:
    """The local server's password, or None if this folder has none (a server from before auth was on)."""
    path = data_dir / PASSWORD_FILE
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("%s was readable by others; made it readable by its owner only", path)
            path.chmod(OWNER_ONLY)
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _write_owner_only(path: Path, text: str) -> None:
    """Create `path` with mode 0600 from the start (never a moment readable by others)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def credential(password: str, salt: bytes) -> str:
    """`password` as Neo4j stores it: 'SHA-256,<hash hex>,<salt hex>,1024'."""
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    for _ in range(_HASH_ROUNDS - 1):
        digest = hashlib.sha256(digest).digest()
    return f"SHA-256,{digest.hex()},{salt.hex()},{_HASH_ROUNDS}"


def store_exists(data_dir: Path) -> bool:
    """Whether Neo4j already created its system database (and so its users) in `data_dir`."""
    return (data_dir / "data" / "databases" / "system").exists()


def ensure_password(data_dir: Path) -> str:
    """This folder's password, generated on the first call.

    A new store gets it through `auth.ini` before its first start; a store created before authentication
    was switched on still has Neo4j's default password, which the start replaces (neo4j_server.start)."""
    existing = read_password(data_dir)
    if existing is not None:
        return existing
    password = secrets.token_urlsafe(24)
    if not store_exists(data_dir):
        auth_ini = data_dir / "data" / "dbms" / "auth.ini"
        with contextlib.suppress(FileNotFoundError):
            auth_ini.unlink()  # left by a start whose password file was lost: it holds another password
        _write_owner_only(auth_ini, f"{LOCAL_USER}:{credential(password, secrets.token_bytes(_SALT_BYTES))}:\n")
    _write_owner_only(data_dir / PASSWORD_FILE, password + "\n")
    return password


ANSWERS, DOWN, AUTH_REFUSED = "answers", "down", "auth refused"


def probe(uri: str, auth: tuple[str, str] | None) -> str:
    """Whether ``RETURN 1`` succeeds over Bolt (auto-commit, so no driver-side retries)."""
    try:
        with (
            GraphDatabase.driver(uri, auth=auth, connection_timeout=2.0) as driver,
            driver.session(database="neo4j") as session,
        ):
            record = session.run("RETURN 1 AS ok").single()
    except AuthError:
        return AUTH_REFUSED
    except (DriverError, Neo4jError, OSError):
        return DOWN
    return ANSWERS if record is not None and record["ok"] == 1 else DOWN


def replace_default_password(uri: str, password: str) -> str:
    """A store created before auth was on has Neo4j's default password: replace it with ours."""
    try:
        with (
            GraphDatabase.driver(uri, auth=(LOCAL_USER, LOCAL_USER), connection_timeout=2.0) as driver,
            driver.session(database="system") as session,
        ):
            session.run("ALTER CURRENT USER SET PASSWORD FROM $old TO $new", old=LOCAL_USER,
                        new=password).consume()
    except AuthError:
        return AUTH_REFUSED
    except (DriverError, Neo4jError, OSError):
        return DOWN
    log.info("the store's default password was replaced by the one in its folder")
    return probe(uri, (LOCAL_USER, password))
