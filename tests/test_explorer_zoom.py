"""app/explorer/zoom.py: the script that opens a network page on its node at a readable zoom is added to the
page once, names the node as data, and leaves the page's own scripts as they were (its effect in a browser is
checked in tests/browser/test_explorer_navigation.py)."""

from __future__ import annotations

import json
import re

from policygraph.app.explorer.zoom import MIN_SCALE, at_readable_zoom

PAGE = "<!DOCTYPE html><html><body><script>window.policygraphNetwork = net;</script></body></html>"


def test_the_script_goes_before_the_body_ends_once() -> None:
    page = at_readable_zoom(PAGE, "https://example.org/node/1")
    assert page.startswith(PAGE.removesuffix("</body></html>"))
    assert page.endswith("</script></body></html>")
    assert page.count("net.focus(") == 1
    assert f"net.getScale() >= {MIN_SCALE}" in page
    assert json.dumps("https://example.org/node/1") in page


def test_a_node_id_cannot_close_the_script() -> None:
    page = at_readable_zoom(PAGE, 'x"</script><img src=x onerror=alert(1)>')
    assert "<img" not in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    node = re.search(r"node = (\".*?(?<!\\)\");", scripts[1])
    assert node and json.loads(node.group(1)) == 'x"</script><img src=x onerror=alert(1)>'


def test_a_page_without_a_body_end_gets_the_script_at_its_end() -> None:
    assert at_readable_zoom("<div></div>", "n").startswith("<div></div><script>")
