"""Network pages at a zoom where labels can be read. vis-network fits the whole view into its canvas, so a node
with dozens of neighbours is drawn with labels a few pixels high; the explorer's pages open on the node they
are about instead (the centre, the path's start), near the canvas's left edge, at no less than MIN_SCALE (the
labels' own size), and the visitor zooms out or pans from there. A view that fits at that scale stays fitted.

The page is the exports' own (app/exports/html.py), with one script appended: it moves the view only.
"""

from __future__ import annotations

import json

MIN_SCALE = 1.0
LEFT_PX = 170  # where the focused node sits from the canvas's left edge: room for its label

_FOCUS = """<script>(function () {
  var net = window.policygraphNetwork, node = %s;
  if (!net) { return; }
  net.fit({animation: false});  // as vis-network will: to know the scale the whole view needs
  if (net.getScale() >= %s) { return; }
  var width = net.body.container.clientWidth;
  net.focus(node, {scale: %s, offset: {x: %d - width / 2, y: 0}, animation: false});
})();</script>"""


def at_readable_zoom(page: str, node: str, scale: float = MIN_SCALE) -> str:
    """The network page `page` opening on `node` at no less than `scale`."""
    # JSON inside <script>: no '<' can close the element.
    script = _FOCUS % (json.dumps(node).replace("<", "\\u003c"), scale, scale, LEFT_PX)
    at = page.rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]
