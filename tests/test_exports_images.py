"""Slide-grade images: text kept as <text>, no text under 12 px at 1920 px wide, no two texts overlapping or
leaving the frame (measured by the renderer that draws them), a legend of every colour drawn, a caption with
the sources, programme and build; PNG at its scale, PDF; labels with '$' stay text."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from exports_support import rewritten_build

from policygraph.app.exports import export, make_view
from policygraph.app.exports.frame import SIZES, frame_size, save
from policygraph.app.exports.text_fit import MIN_PX, overlapping_texts, wrap
from policygraph.app.read.views import STATUS_COLOURS
from policygraph.app.release import Release

SVG = "{http://www.w3.org/2000/svg}"
SERVICE_D = "https://w3id.org/policygraph/id/health-trainers/service/D"
VIEWS = {
    "whole programme": {},
    "peer support": {"intent": "peer-support-from-next-door"},
    "hard to reach": {"intent": "reach-hard-to-reach-in-community"},
    "inequalities": {"intent": "reduce-health-inequalities"},
    "disadvantaged first": {"intent": "target-disadvantaged-first"},
    "service D": {"service": "D"},
    "follow-up": {"period": "follow-up"},
    "neighbourhood 1 hop": {"view": "neighbourhood", "node": SERVICE_D, "hops": 1},
    "neighbourhood 2 hops": {"view": "neighbourhood", "node": SERVICE_D, "hops": 2},
}


@pytest.fixture(scope="module")
def case(build_dir: Path) -> Release:
    return Release.current(build_dir)


def texts(svg: bytes) -> list[tuple[str, float]]:
    """(text, font size in px at 1920 px wide) of every <text> of an SVG."""
    root = ET.fromstring(svg)
    scale = 1920 / float(root.get("viewBox", "0 0 1 1").split()[2])
    found = []
    for element in root.iter(f"{SVG}text"):
        size = re.search(r"font-size: ([\d.]+)px", element.get("style", ""))
        assert size, f"no font size on {element.text!r}"
        found.append(("".join(element.itertext()), float(size[1]) * scale))
    return found


def fills(svg: bytes, prefix: str) -> set[str]:
    """The fill colours inside the SVG's groups whose id starts with `prefix`."""
    root = ET.fromstring(svg)
    out = set()
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith(prefix):
            for element in group.iter():
                found = re.search(r"fill: (#[0-9a-f]{6})", element.get("style", ""))
                if found:
                    out.add(found[1])
    return out


def inside_frame(fig: object) -> list[str]:
    """The texts of a figure that leave its frame."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height  # type: ignore[attr-defined]
    return [t.get_text() for ax in fig.axes for t in ax.texts  # type: ignore[attr-defined]
            if (box := t.get_window_extent(renderer)).x0 < 0 or box.x1 > width or box.y0 < 0 or box.y1 > height]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_is_slide_grade(case: Release, name: str, size: str) -> None:
    chosen = make_view(case, **VIEWS[name])  # type: ignore[arg-type]
    fig = chosen.figure(*frame_size(size))
    assert overlapping_texts(fig) == []
    assert inside_frame(fig) == []
    svg = save(fig, "svg")
    root = ET.fromstring(svg)
    assert root.get("viewBox") == f"0 0 {SIZES[size][0] * 0.72:g} {SIZES[size][1] * 0.72:g}"
    assert not [p for p in root.iter(f"{SVG}path") if p.get("id", "").startswith("DejaVu")], "text drawn as glyphs"
    drawn = texts(svg)
    assert len(drawn) > 10
    small = [(t, round(px, 1)) for t, px in drawn if px < MIN_PX - 0.01]
    assert small == [], f"text under {MIN_PX} px at 1920 px wide"
    words = " ".join(t for t, _ in drawn)
    assert wrap(chosen.title, SIZES[size][0] - 80, 34, 2, bold=True)[0] in words  # the title
    assert "National Health Trainers Service (England)" in words  # the programme
    assert f"policygraph {case.version}, build {case.sha256[:7]} of {case.built_at[:10]}" in words.replace("  ", " ")
    assert re.search(r"Sources: [^()]+ \d{4} \(S\d+", words), "the caption cites author-year and source ids"
    # Every colour drawn is in the legend.
    drawn_colours = fills(svg, "mark-") | fills(svg, "bar-") | fills(svg, "node-")
    assert drawn_colours
    assert drawn_colours <= fills(svg, "legend-")


def test_the_legend_says_what_each_status_means(case: Release) -> None:
    words = " ".join(t for t, _ in texts(export(case, make_view(case), "svg")))
    for meaning in ("consistent with the expectation", "departed from the expectation",
                    "unknown: the sources are silent"):
        assert meaning in words
    assert STATUS_COLOURS["departed"] in fills(export(case, make_view(case), "svg"), "legend-")


def test_a_national_programme_is_drawn_summarised(tmp_path: Path) -> None:
    from support import build_national

    release = Release.current(build_national(tmp_path, services=14, clients=300, seed=3, drift=0.1,
                                                     missing=0.05))
    chosen = make_view(release)
    fig = chosen.figure(1920, 1080)
    assert overlapping_texts(fig) == []
    assert inside_frame(fig) == []
    svg = save(fig, "svg")
    words = [t for t, _ in texts(svg)]
    assert "4 other services" in " ".join(words)  # the 10 that departed most have a column
    assert any(re.fullmatch(r"\d+ of 36", w) for w in words)  # a service's 36 quarters counted
    assert "bar: share of the periods by status" in words
    assert min(px for _, px in texts(svg)) >= MIN_PX


def test_overlap_measurement_finds_overlaps() -> None:
    """The check the tests rely on does see two texts on top of each other."""
    from policygraph.app.exports.frame import blank
    from policygraph.app.exports.text_fit import put

    fig, ax = blank(400, 200)
    put(ax, 10, 10, "first label", 15)
    put(ax, 30, 14, "second label", 15)
    put(ax, 10, 100, "far away", 15)
    assert overlapping_texts(fig) == [("first label", "second label")]


def test_text_under_the_minimum_is_refused() -> None:
    from policygraph.app.exports.frame import blank
    from policygraph.app.exports.text_fit import put

    _, ax = blank(100, 100)
    with pytest.raises(ValueError, match=r"under the 12\.0 px minimum"):
        put(ax, 0, 0, "tiny", 11)


@pytest.fixture(scope="module")
def dollars(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The case with '$...$' in every label and value, and one label far too long for any cell."""
    long = "A very long intent label " + "that keeps going " * 20 + "END"

    def label(node: object, text: str) -> str:
        return long if str(node).endswith("intent/peer-support-from-next-door") else f"$x^2$ costs $5 {text}"

    return Release.current(rewritten_build(tmp_path_factory.mktemp("dollars"), label,
                                           verbatim=lambda node, text: f"${text}$"))


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_dollar_labels_are_never_typeset_as_math(dollars: Release, fmt: str) -> None:
    data = export(dollars, make_view(dollars), fmt)
    assert data.startswith({"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}[fmt])
    if fmt == "svg":
        words = [t for t, _ in texts(data)]
        assert any(w.startswith("$x^2$ costs $5") for w in words)  # kept as typed, dollar signs and all


def test_a_long_label_is_shortened_in_the_image_and_whole_elsewhere(dollars: Release) -> None:
    chosen = make_view(dollars, intent="peer-support-from-next-door")
    words = [t for t, _ in texts(export(dollars, chosen, "svg"))]
    assert any(w.endswith("…") for w in words)
    assert not any("END" in w for w in words)
    assert "that keeps going END" in export(dollars, chosen, "csv").decode("utf-8")
    assert "that keeps going END" in export(dollars, chosen, "html").decode("utf-8")  # in the tooltip


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(("size", "scale", "expected"), [("16:9", 2.0, (3840, 2160)), ("16:9", 1.0, (1920, 1080)),
                                                         ("4:3", 1.5, (2880, 2160))])
def test_png_at_its_size_and_scale(case: Release, size: str, scale: float, expected: tuple[int, int]) -> None:
    assert _png_size(export(case, make_view(case, intent="target-disadvantaged-first"), "png", size=size,
                            scale=scale)) == expected


def test_pdf_keeps_its_text_as_text(case: Release) -> None:
    data = export(case, make_view(case), "pdf")
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # TrueType fonts embedded: text, not outlines
    assert export(case, make_view(case), "pdf") == data  # no creation date: the same view, the same bytes


def test_an_unknown_size_is_refused(case: Release) -> None:
    with pytest.raises(ValueError, match=r"unknown size .3:2.; use one of 16:9, 4:3"):
        export(case, make_view(case), "png", size="3:2")


def test_a_view_with_nothing_to_draw_says_so(case: Release) -> None:
    from dataclasses import replace

    chosen = make_view(case, intent="target-disadvantaged-first")
    assert chosen.picture is not None
    empty = replace(chosen, picture=replace(chosen.picture, groups=()))
    words = [t for t, _ in texts(save(empty.figure(1920, 1080), "svg"))]
    assert "nothing to draw: no intent in this view has an expectation" in words
    assert "Total" in words  # the frame is still there, with its caption
    assert any(w.startswith("Sources: ") for w in words)
