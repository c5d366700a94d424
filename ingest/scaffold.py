"""Start a programme: a new folder holding every file the reader reads, each with one commented example
record, that validates and builds as it is (`write_new_programme`; `policygraph init DIR`).

Every example is a placeholder ("Example service", example.org) citing the one example source the folder
declares; the curator replaces them, file by file (data/README.md describes each key).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from policygraph.ingest.errors import IngestError, Location, Problem, fail
from policygraph.ingest.models import ID_PATTERN
from policygraph.ontology import concept_codes

log = logging.getLogger(__name__)

SOURCE = "example-source"
_EVIDENCE = """evidence:
  # Every statement cites a source of sources.yaml and where in it (section, page, table row and column).
  - source: example-source
    locator: Replace with where in the source this is said"""


def _evidence(indent: int) -> str:
    pad = " " * indent
    return "\n".join(pad + line for line in _EVIDENCE.split("\n"))


def _programme(programme_id: str) -> str:
    return f"""\
# The programme this folder describes, and the periods its services are followed over. Every value below is
# an example to replace; data/README.md describes each file and key.
programme:
  # id: letters, digits, '-' and '_' (at most 64); every identifier of the graph is minted under it.
  id: {programme_id}
  label: Example programme
  description: Replace with what the programme is, who set it up and what the sources follow.
{_evidence(2)}
periods:
  # A period the services are described in; order is its place (1 first). note is optional.
  - id: first-period
    label: First period
    order: 1
    note: Replace with what the period covers, or remove the note.
"""


_SOURCES = """\
# The sources the statements cite: what each is and which part of it was available to you.
sources:
  - id: example-source
    title: Example source (replace with the title of a document you cite)
    authors: Replace with the authors
    # year: text; quote a bare year.
    year: "2000"
    url: https://example.org/replace-with-the-address-of-the-source
    recovered: Replace with the part of the source you could read (e.g. the summary and the first table)
"""

_DOCUMENTS = f"""\
# The policy documents: what each sets out, who published it, which earlier document it carries out.
documents:
  - id: example-policy
    title: Example policy document
    # kind: white-paper, delivery-plan, ministerial-statement, act, guidance or report.
    kind: guidance
    # date: YYYY, YYYY-MM or YYYY-MM-DD (quote a bare year). published_by: an organisation of actors.yaml.
    date: 2000-01
    published_by: example-organisation
    # implements (optional): [ids of the documents this one carries out].
    description: Replace with what the document sets out.
{_evidence(4)}
"""

_INTENTS = f"""\
# What the policy meant to achieve, and what each intent expects of the services' configuration.
intents:
  - id: example-intent
    label: Example intent
    description: Replace with what the policy meant to achieve, in its documents' terms.
    # stated_in: the documents of documents.yaml that state the intent.
    stated_in: [example-policy]
{_evidence(4)}
    # expectations: per dimension of vocabulary.yaml, the concept codes the intent expects there, and why.
    expectations:
      - dimension: example-dimension
        expects: [example-concept-a]
        rationale: Replace with why the intent expects this of a service.
{_evidence(8)}
"""


def _actors() -> str:
    kinds = ", ".join(sorted(concept_codes("actor-kind")))
    return f"""\
# The organisations and roles the records name.
organisations:
  - id: example-organisation
    label: Example organisation
    # kind: one of {kinds}.
    kind: national-body
    # level: national, regional or local. sub_organisation_of (optional): the organisation it is part of.
    level: national
    description: Replace with what the organisation does in the programme.
{_evidence(4)}
roles:
  - id: example-role
    label: Example role
    description: Replace with what people in this role do.
{_evidence(4)}
# Who commissioned what: the programme or services (service:<id>), since and until typed periods (leave
# either out when the sources do not say).
commissioning:
  - id: example-commissioning
    commissioner: example-organisation
    commissions: [programme]
    since: "2000"
{_evidence(4)}
"""


_SERVICES = f"""\
# The services whose configuration configurations.csv describes.
services:
  - id: example-service
    label: Example service
    # status: known (description: the source's own text) or unknown (no description; say why in note).
    status: known
    description: Replace with the source's own description of the service.
    # started (optional): when the service started, as a typed period (e.g. "early 2006", 2006-04).
{_evidence(4)}
"""

_TIMELINE = f"""\
# Dated events; relates_to (optional) names the records an event concerns (any id of the folder).
events:
  - id: example-event
    date: 2000-01
    label: Example event (replace with what happened)
    relates_to: [example-policy]
{_evidence(4)}
"""

_OBSERVATIONS = f"""\
# Figures the sources report: one number each, its unit, the area and the period it covers; and findings,
# the sources' statements in prose (paraphrased), each linked to what it is about.
observations:
  - id: example-observation
    indicator: Example indicator (replace with what was counted or measured)
    # value: a number, unquoted (the unit goes in unit, remarks in note); for a range, its lower end, with
    # upper: its upper end. qualifier (optional): over, under, at-least, at-most, about, almost or nearly.
    value: 1
    unit: Replace with the unit (e.g. people)
    area: Replace with the area the figure covers
    # ref_period: a day 2011-05-31, a month 2009-09, a year "2011", a financial year FY2010-11, part of a
    # year "early 2006", a range 2006/2011, or unknown (and say why in note).
    ref_period: unknown
    note: Replace with why the period is unknown, or give the period the source gives.
{_evidence(4)}
findings:
  - id: example-finding
    # kind: finding, conclusion, method or description (how the programme works).
    kind: finding
    label: Example finding (replace with a short title)
    statement: Replace with what the source says, in your own words.
    # about: what the finding concerns: programme, or kind:id (service:example-service, dimension:...).
    about: [programme]
{_evidence(4)}
"""

_VOCABULARY = f"""\
# The programme's own vocabulary: the dimensions a service's configuration is described on, the concepts
# that code their values, the orientation axis the concepts sit on, and the drift measure along it.
# words: what the programme calls its services (the explorer and the exports use them).
words:
  service: service
  services: services
# orientation: an axis with exactly two poles and one neutral.
orientation:
  label: Example orientation
  definition: Replace with the axis a configuration concept sits on, between two ways of delivering the programme.
{_evidence(2)}
  poles:
    - id: pole-a
      label: Pole A
      definition: Replace with the first way of delivering the programme.
    - id: pole-b
      label: Pole B
      definition: Replace with the other way of delivering the programme.
  neutral:
    id: neutral
    label: neutral
    definition: Not oriented either way by the sources, or mixing both.
# drift: the measure of drift towards one pole (towards: a pole id; name: an id).
drift:
  name: example-drift
  towards: pole-b
  definition: Replace with what a service's drift towards pole B means in this programme.
dimensions:
  # header: the column header as the source prints it; order: its column (unique).
  - id: example-dimension
    header: Example dimension
    order: 1
    definition: Replace with what this dimension of a service's configuration describes.
{_evidence(4)}
    # concepts: the codes of the dimension's values; orientation is a pole id or the neutral's.
    concepts:
      - code: example-concept-a
        label: Example concept A
        definition: Replace with what this value means; it leans towards pole A.
        orientation: pole-a
      - code: example-concept-b
        label: Example concept B
        definition: Replace with what this value means; it leans towards pole B.
        orientation: pole-b
"""

_CONFIGURATIONS = """\
service,period,dimension,status,verbatim,codes,actors,source,locator,note
example-service,first-period,example-dimension,known,Replace with the cell text as the source prints it,\
example-concept-a,example-organisation,example-source,Replace with where in the source the cell is,
"""

_README = """\
# {programme_id}

A programme folder made by `policygraph init`: every file holds one example record to replace (the YAML
comments say what each key holds; `data/README.md` in the policygraph repository describes every file).

1. Cite your sources in `sources.yaml`; every `evidence` entry names one of them.
2. Replace the examples file by file; `policygraph validate --data {folder}` lists every problem, with the
   file, the line and the fix.
3. `configurations.csv` has one row per service, period and dimension (columns: service, period, dimension,
   status, verbatim, codes, actors, source, locator, note); a cell the sources are silent on has status
   `unknown` and a note saying why.
4. `policygraph format {folder}` puts the files in the canonical form; `policygraph build --data {folder}`
   builds the graph.
"""


def new_programme_files(programme_id: str, folder_name: str) -> dict[str, str]:
    """The files of a new programme folder: name -> text."""
    return {
        "programme.yaml": _programme(programme_id),
        "sources.yaml": _SOURCES,
        "documents.yaml": _DOCUMENTS,
        "intents.yaml": _INTENTS,
        "actors.yaml": _actors(),
        "services.yaml": _SERVICES,
        "timeline.yaml": _TIMELINE,
        "observations.yaml": _OBSERVATIONS,
        "vocabulary.yaml": _VOCABULARY,
        "configurations.csv": _CONFIGURATIONS,
        "README.md": _README.format(programme_id=programme_id, folder=folder_name),
    }


def suggested_id(name: str) -> str:
    """An id made from a folder name: lower case, runs of other characters as '-'."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:64].strip("-_")
    return slug or "my-programme"


def programme_id_problem(folder: Path, programme_id: str, given_as: str) -> Problem | None:
    """Why `programme_id` cannot be the id of the programme in `folder` (None when it can)."""
    if re.fullmatch(ID_PATTERN, programme_id):
        return None
    return Problem(Location(folder), f"{given_as} {programme_id!r} is not a programme id (ids are 1-64 "
                   "letters, digits, '-' or '_', starting with a letter or digit)",
                   f"pass --id {suggested_id(programme_id)} (or another id)")


def write_new_programme(folder: Path, programme_id: str | None = None) -> list[Path]:
    """Create `folder` (which must not exist or be empty) holding a new programme that validates as it is;
    the files written. `programme_id` defaults to the folder's name, which must then be an id.

    Raises IngestError when the folder holds anything or the id is not one.
    """
    folder = Path(folder)
    ident = programme_id if programme_id is not None else folder.resolve().name
    problem = programme_id_problem(folder, ident, "--id" if programme_id is not None else "the folder name")
    if problem is not None:
        raise IngestError([problem])
    if folder.exists() and not folder.is_dir():
        raise fail(Location(folder), "exists and is not a folder", "choose a new folder name for the programme")
    if folder.is_dir() and any(folder.iterdir()):
        entries = sorted(p.name for p in folder.iterdir())
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise fail(Location(folder), f"the folder is not empty (it holds {shown}); init never overwrites files",
                   "choose a new folder name (init creates it), or empty the folder first")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in new_programme_files(ident, str(folder)).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    log.info("wrote a new programme %s in %s", ident, folder)
    return written
