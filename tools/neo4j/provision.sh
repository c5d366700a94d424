#!/usr/bin/env bash
# Provision a Neo4j 5.26 Community server (embedded API + Bolt launcher) from Maven Central.
#
# Idempotent: the first run resolves org.neo4j:neo4j:<version> and its runtime closure with Maven
# and compiles tools/neo4j/launcher into the cache dir; later runs only compare a stamp and print
# the path. Prints the install dir (the "home" used by run.sh) on stdout as its last line.
#
# Env:
#   POLICYGRAPH_NEO4J_VERSION  Neo4j version (default 5.26.30; must be a 5.26.x for Java 17)
#   POLICYGRAPH_NEO4J_HOME     install/cache dir (default $HOME/.cache/policygraph/neo4j-<version>)
#
# Why not the official tarball: org.neo4j.assembly:neo4j-community-standalone:5.26.x is published
# on Central as a pom only; no tar.gz:unix artifact is attached (checked 5.26.0 ... 5.26.30).
set -euo pipefail

die() { echo "provision.sh: error: $*" >&2; exit 1; }

NEO4J_VERSION="${POLICYGRAPH_NEO4J_VERSION:-5.26.30}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAUNCHER_DIR="$HERE/launcher"
INSTALL="${POLICYGRAPH_NEO4J_HOME:-$HOME/.cache/policygraph/neo4j-$NEO4J_VERSION}"

[[ "$NEO4J_VERSION" == 5.26.* ]] || die "POLICYGRAPH_NEO4J_VERSION=$NEO4J_VERSION: only 5.26.x runs on Java 17"

# The stamp covers everything that determines the install: version + launcher sources.
stamp() {
    {
        echo "neo4j=$NEO4J_VERSION"
        find "$LAUNCHER_DIR/pom.xml" "$LAUNCHER_DIR/src" -type f -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum | sed "s#  $HERE/#  #"
    }
}
WANT="$(stamp)"

is_current() {
    [[ -f "$INSTALL/.provisioned" && -f "$INSTALL/lib/policygraph-neo4j-launcher.jar" ]] \
        && [[ "$(cat "$INSTALL/.provisioned")" == "$WANT" ]]
}

if is_current; then
    echo "$INSTALL"
    exit 0
fi

command -v java >/dev/null 2>&1 || die "java not found on PATH (need a JDK 17 or 21)"
command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (need Apache Maven 3.6+ with access to Maven Central)"
JAVA_MAJOR="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[[ "$JAVA_MAJOR" == 17 || "$JAVA_MAJOR" == 21 ]] \
    || die "java $JAVA_MAJOR found; Neo4j $NEO4J_VERSION needs Java 17 or 21"

PARENT="$(dirname "$INSTALL")"
mkdir -p "$PARENT" || die "cannot create $PARENT"

# Serialise concurrent provisioning of the same install dir.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$INSTALL.lock"
    flock 9
    if is_current; then echo "$INSTALL"; exit 0; fi
fi

STAGE="$(mktemp -d "$PARENT/.neo4j-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

echo "provision.sh: building Neo4j $NEO4J_VERSION launcher into $INSTALL (Maven Central)" >&2
# Debian's Maven 3.8.7 prints ESC[0m even in batch mode; strip colour codes. Maven output -> stderr.
set +e
mvn -q -B -Dstyle.color=never -f "$LAUNCHER_DIR/pom.xml" \
    -Dneo4j.version="$NEO4J_VERSION" \
    -Dlauncher.buildDir="$STAGE/build" \
    -DincludeScope=runtime \
    -DoutputDirectory="$STAGE/lib" \
    package dependency:copy-dependencies 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' >&2
MVN_RC="${PIPESTATUS[0]}"
set -e
[[ "$MVN_RC" == 0 ]] \
    || die "Maven could not resolve/build org.neo4j:neo4j:$NEO4J_VERSION (exit $MVN_RC; see Maven output above)"
cp "$STAGE/build/policygraph-neo4j-launcher.jar" "$STAGE/lib/" || die "launcher jar was not built"
rm -rf "$STAGE/build"
echo "$NEO4J_VERSION" > "$STAGE/VERSION"
printf '%s\n' "$WANT" > "$STAGE/.provisioned"

rm -rf "$INSTALL"
mv "$STAGE" "$INSTALL" || die "cannot move staged install to $INSTALL"
trap - EXIT
echo "$INSTALL"
