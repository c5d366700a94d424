"""N-Triples of the activity data set (RDF Data Cube), written line by line without an rdflib graph.

IRIs (ids percent-encoded as in ingest/rdf.py):
    data set      {ID_BASE}{programme}/dataset/activity            a qb:DataSet
    observation   {ID_BASE}{programme}/activity/{service}/{quarter}/{breakdown}/{category|total}
    evidence      {ID_BASE}{programme}/dataset/activity/evidence   (the extract's record: its source and locator)
The structure (pg:activityStructure) is declared once, in ontology/activity.ttl.
"""

from __future__ import annotations

from policygraph.ingest.activity_schema import DIMENSION_LABELS, NO_PHP, TOTAL
from policygraph.ingest.activity_suppression import Status
from policygraph.ontology import ID_BASE, PG, QB
from policygraph.ontology.ntriples import FALSE, RDF_TYPE, RDFS_LABEL, TRUE, integer, literal, segment


def _p(name: str) -> str:
    return f"<{PG[name]}>"


OBSERVATION_TYPES = f"{RDF_TYPE} <{QB.Observation}> .\n", f"{RDF_TYPE} {_p('ActivityObservation')} .\n"
P = {name: _p(name) for name in ("refService", "refQuarter", "breakdown", "category", "clientCount", "suppressed",
                                 "suppression", "partOfProgramme", "evidence", "source", "locator",
                                 "suppressionThreshold")}
DATASET_OF = f"<{QB.dataSet}>"


class ActivityTerms:
    """Term spelling for one programme's activity data set."""

    def __init__(self, programme: str, source: str, locator: str) -> None:
        base = ID_BASE + segment(programme)
        self.programme = f"<{base}>"
        self.dataset = f"<{base}/dataset/activity>"
        self.source = f"<{base}/source/{segment(source)}>"
        self.locator = locator
        self.service_base = f"{base}/service/"
        self.activity_base = f"{base}/activity/"

    def dataset_lines(self, programme: str, min_count: int) -> str:
        ds, evidence = self.dataset, f"<{self.dataset[1:-1]}/evidence>"
        label = literal(f"Activity of programme {programme}: clients by service, quarter and breakdown", "en")
        return (f"{ds} {RDF_TYPE} <{QB.DataSet}> .\n"
                f"{ds} <{QB.structure}> {_p('activityStructure')} .\n"
                f"{ds} {RDFS_LABEL} {label} .\n"
                f"{ds} {P['partOfProgramme']} {self.programme} .\n"
                f"{ds} {P['suppressionThreshold']} {integer(min_count)} .\n"
                f"{ds} {P['evidence']} {evidence} .\n"
                f"{evidence} {RDF_TYPE} {_p('Evidence')} .\n"
                f"{evidence} {P['source']} {self.source} .\n"
                f"{evidence} {P['locator']} {literal(self.locator)} .\n")

    def slot_prefix(self, service: str, quarter: str) -> str:
        """The IRI prefix of a service-quarter's observations."""
        return f"{self.activity_base}{segment(service)}/{quarter}/"

    def observation_lines(self, prefix: str, service: str, quarter: str, dimension: str, category: str,
                          count: int, status: Status) -> str:
        obs = f"<{prefix}{dimension}/{segment(category)}>"
        shown = "all clients" if category == TOTAL else "no PHP" if category == NO_PHP else category
        label = literal(f"Clients of {service} in {quarter} by {DIMENSION_LABELS[dimension]}: {shown}", "en")
        head = (f"{obs} {OBSERVATION_TYPES[0]}{obs} {OBSERVATION_TYPES[1]}"
                f"{obs} {DATASET_OF} {self.dataset} .\n"
                f"{obs} {P['refService']} <{self.service_base}{segment(service)}> .\n"
                f"{obs} {P['refQuarter']} \"{quarter}\" .\n"
                f"{obs} {P['breakdown']} \"{dimension}\" .\n"
                f"{obs} {P['category']} {literal(category)} .\n")
        if status is None:
            figures = f"{obs} {P['clientCount']} {integer(count)} .\n{obs} {P['suppressed']} {FALSE} .\n"
        else:
            figures = f"{obs} {P['suppressed']} {TRUE} .\n{obs} {P['suppression']} \"{status}\" .\n"
        return (head + figures + f"{obs} {RDFS_LABEL} {label} .\n"
                f"{obs} {P['partOfProgramme']} {self.programme} .\n"
                f"{obs} {P['evidence']} <{self.dataset[1:-1]}/evidence> .\n")
