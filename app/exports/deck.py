"""A PowerPoint deck of views (python-pptx): one slide per view with its title, its picture (drawn at the
slide's own proportions, so no text gets smaller than on a 1920 px wide image), its caption, and the
citations in the speaker notes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from policygraph.app.exports.frame import frame_size, save
from policygraph.app.exports.text_fit import wrap

if TYPE_CHECKING:
    from policygraph.app.exports import Chosen

SLIDE_INCHES = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}
TITLE_ONLY = 5  # the default template's "Title Only" layout
MARGIN_IN, TITLE_IN, CAPTION_IN, TITLE_PT = 0.4, 0.9, 0.75, 26


def _text(frame: object, text: str, size: float) -> None:
    frame.text = text  # type: ignore[attr-defined]
    frame.word_wrap = True  # type: ignore[attr-defined]
    for paragraph in frame.paragraphs:  # type: ignore[attr-defined]
        for run in paragraph.runs:
            run.font.size = Pt(size)


def notes_text(chosen: Chosen) -> str:
    credits = chosen.credits
    lines = [chosen.title, "", f"Sources: {credits.sources or 'none cited'}", *credits.references, "",
             *chosen.network.notes, *(chosen.picture.notes if chosen.picture is not None else []),
             f"Programme: {credits.programme}. policygraph {credits.version}, build {credits.build} of "
             f"{credits.built_at}."]
    return "\n".join(lines)


def deck(views: Sequence[Chosen], size: str = "16:9") -> bytes:
    """The deck as .pptx bytes: one slide per view, in order."""
    frame_size(size)  # refuses an unknown size
    width_in, height_in = SLIDE_INCHES[size]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(width_in), Inches(height_in)
    px_per_inch = 1920 / width_in  # the slide shown 1920 px wide
    for chosen in views:
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        title = slide.shapes.title
        assert title is not None  # the layout has one
        title.left, title.top = Inches(MARGIN_IN), Inches(0.25)
        title.width, title.height = Inches(width_in - 2 * MARGIN_IN), Inches(TITLE_IN)
        # Two lines at most (measured in the figures' font, wider than the deck's): the full title is in the notes.
        shown = " ".join(wrap(chosen.title, (width_in - 2 * MARGIN_IN) * px_per_inch, TITLE_PT * px_per_inch / 72, 2))
        _text(title.text_frame, shown, TITLE_PT)
        box_w = width_in - 2 * MARGIN_IN
        box_h = height_in - 0.25 - TITLE_IN - CAPTION_IN - 0.2
        figure = chosen.figure(box_w * px_per_inch, box_h * px_per_inch, framed=False)
        picture = slide.shapes.add_picture(io.BytesIO(save(figure, "png", 2.0)), Inches(MARGIN_IN),
                                           Inches(0.25 + TITLE_IN), Inches(box_w), Inches(box_h))
        picture._element.nvPicPr.cNvPr.set("descr", f"{chosen.title}. {chosen.describe()}")  # alt text
        caption = slide.shapes.add_textbox(Inches(MARGIN_IN), Emu(picture.top + picture.height) + Inches(0.05),
                                           Inches(box_w), Inches(CAPTION_IN))
        _text(caption.text_frame, chosen.credits.caption(), 10)
        slide.notes_slide.notes_text_frame.text = notes_text(chosen)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
