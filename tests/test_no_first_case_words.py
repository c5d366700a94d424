"""Generic code knows no programme: no Health Trainers dimension id, concept code, pole, drift name, "Table 2",
"case study" or case letter in ingest/, graph/, app/ or the shipped named queries. Everything a programme calls
its own comes from its folder (data/<programme>/vocabulary.yaml, its queries/)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from support import CASE, REPO

GENERIC = [*(REPO / d for d in ("ingest", "graph", "app")), REPO / "queries"]
SUFFIXES = {".py", ".rq", ".cypher", ".ttl"}
# The CLI's default --data folder is the first programme's path, a setting (README: `make run` builds it).
ALLOWED = {"data/health-trainers"}


def _first_case_words() -> set[str]:
    vocab = yaml.safe_load((CASE / "vocabulary.yaml").read_text(encoding="utf-8"))
    words = {"health trainers", "health-trainers", "table 2", "table2", "case study", "case studies", "case letter",
             "caseletter", vocab["drift"]["name"], vocab["drift"]["name"].replace("s", "z")}
    words |= {d["id"] for d in vocab["dimensions"] if "-" in d["id"]}  # one-word ids ("funding") are plain English
    words |= {c["code"] for d in vocab["dimensions"] for c in d["concepts"] if "-" in c["code"]}
    words |= {p["id"] for p in vocab["orientation"]["poles"] if "-" in p["id"]}
    words |= {p["label"].lower() for p in vocab["orientation"]["poles"]}
    return words


def _files() -> list[Path]:
    return sorted(p for d in GENERIC for p in d.rglob("*") if p.suffix in SUFFIXES and "static" not in p.parts)


def test_the_scan_would_find_a_first_case_word() -> None:
    words = _first_case_words()
    assert {"primary-referral-sources", "nhs-medical", "medicalisation", "case study", "table 2"} <= words
    assert len(_files()) > 60


def test_no_first_case_word_in_generic_code() -> None:
    words = _first_case_words()
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in sorted(words, key=len,
                                                                                            reverse=True)), re.I)
    found = []
    for path in _files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line
            for allowed in ALLOWED:
                text = text.replace(allowed, "")
            if match := pattern.search(text):
                found.append(f"{path.relative_to(REPO)}:{n}: {match.group()!r} in {line.strip()[:100]}")
    assert found == [], "\n".join(found)
