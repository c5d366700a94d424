#!/usr/bin/env bash
# Run a provisioned Neo4j server in the foreground (Ctrl-C / SIGTERM stops it cleanly).
#
#   tools/neo4j/run.sh <install-dir> <data-dir> [bolt-port [launcher-option ...]]
#
# <install-dir> is what provision.sh printed; <data-dir> holds data/ and logs/ (created if missing).
# Launcher options after the port are passed on (--auth=true, --pagecache=256m).
# graph/neo4j_server.py uses this script too, so the JVM flags live in one place only.
# Extra JVM options can be passed in POLICYGRAPH_NEO4J_JAVA_OPTS (e.g. "-Xmx1g"; they come after the
# default -Xmx512m, so they win).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 <install-dir> <data-dir> [bolt-port [launcher-option ...]]" >&2
    exit 2
fi
INSTALL="$1"
DATA_DIR="$2"
PORT="${3:-7687}"
shift $(( $# < 3 ? $# : 3 ))
for option in "$@"; do
    [[ "$option" == --auth=* || "$option" == --pagecache=* ]] \
        || { echo "run.sh: unknown launcher option $option (use --auth=true|false, --pagecache=SIZE)" >&2; exit 2; }
done
[[ -f "$INSTALL/lib/policygraph-neo4j-launcher.jar" ]] \
    || { echo "run.sh: $INSTALL is not a provisioned install (run tools/neo4j/provision.sh)" >&2; exit 1; }
mkdir -p "$DATA_DIR"

# Java 17 needs these opens for Neo4j 5 (UnsafeUtil / Netty); without them startup fails with
# "LinkageError: Cannot to link java.nio.DirectByteBuffer".
# shellcheck disable=SC2086
exec java \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Xmx512m -XX:+ExitOnOutOfMemoryError \
    ${POLICYGRAPH_NEO4J_JAVA_OPTS:-} \
    -cp "$INSTALL/lib/*" \
    org.policygraph.neo4j.Launcher --home="$DATA_DIR" --port="$PORT" "$@"
