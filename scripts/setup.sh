#!/usr/bin/env bash
# Set up policygraph on a fresh machine: a virtualenv with the package and its tools.
#   scripts/setup.sh            Python packages only (enough to build, query and explore)
#   scripts/setup.sh --test     also what the test suite needs: Neo4j 5.26 from Maven Central, Debian's Chromium
#                               and LibreOffice Impress
# Idempotent: a second run only checks stamps.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "setup.sh: unknown option $arg (use --test)" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup.sh: Python 3.11+ is needed ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
# mypy reads the package through this link (it cannot follow setuptools' editable finder).
mkdir -p .venv/typecheck && ln -sfn ../.. .venv/typecheck/policygraph

# Reinstall only when the package definition changed.
stamp=.venv/.policygraph-installed
digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[app,dev]'
  echo "$digest" > "$stamp"
fi

if [ "$want_test" = 1 ]; then
  for tool in java mvn; do
    command -v "$tool" >/dev/null || { echo "setup.sh: $tool is needed for the Neo4j tests (install OpenJDK 17 and Maven)" >&2; exit 1; }
  done
  tools/neo4j/provision.sh >/dev/null
  # The browser tests drive Debian's Chromium (never a browser downloaded by a test tool); the deck test
  # converts a .pptx to PDF with Debian's LibreOffice Impress (without recommends: about 90 MB, seconds).
  need_chromium=0; need_impress=0
  [ -x /usr/bin/chromium ] || need_chromium=1
  command -v soffice >/dev/null || need_impress=1
  if [ $((need_chromium + need_impress)) -gt 0 ]; then
    as_root=""
    [ "$(id -u)" = 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    [ "$need_chromium" = 0 ] || DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
    [ "$need_impress" = 0 ] || DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq \
      --no-install-recommends libreoffice-impress >/dev/null
  fi
fi
