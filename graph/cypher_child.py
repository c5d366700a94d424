"""The child process of an ad-hoc Cypher query (graph.cypher_guard): reads the request as JSON on stdin,
writes the result, or the error's kind and message, as JSON on stdout. Run as
`python -m policygraph.graph.cypher_child`; killed by its parent at the time limit."""

from __future__ import annotations

import json
import sys

from policygraph.graph.cypher_guard import ERRORS, answer
from policygraph.graph.neo4j_store import Neo4jSettings


def main() -> int:
    request = json.loads(sys.stdin.read())
    try:
        result = answer(Neo4jSettings.from_json(request["settings"]), request["text"], request["params"],
                        request["deadline"], request["timeout_s"], request["max_rows"])
    except tuple(ERRORS.values()) as exc:
        reply: dict[str, object] = {"error": type(exc).__name__, "message": str(exc)}
    else:
        reply = {"columns": result.columns, "rows": result.rows, "truncated": result.truncated,
                 "values": result.values}
    sys.stdout.write(json.dumps(reply, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
