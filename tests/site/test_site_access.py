"""Tests that the site loads nothing from other hosts, works by keyboard and at any width, and explains its terms.

Without Quarto: the notebooks' output types; how ``_quarto.yml`` wires in the scroll-regions
script and ``styles.css``; the script itself, run under node against a small stand-in DOM
(skipped without node); the CSS rules, parsed; the glossary's anchors, navigation, computed
numbers and links. With Quarto (``$QUARTO``, then ``quarto`` on PATH; skipped otherwise): one
render, then ``_site/`` is searched for anything loaded from another host, the script on every
page and the glossary's anchors.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.data.paths import PROJ_ROOT
from analysis.stats.agreement import LANDIS_KOCH_BANDS

QUARTO_YML = PROJ_ROOT / "_quarto.yml"
SCRIPT = PROJ_ROOT / "assets" / "scroll-regions.html"
STYLES = PROJ_ROOT / "styles.css"
GLOSSARY = PROJ_ROOT / "glossary.qmd"

#: Output types that make Quarto add require.js and jQuery from a CDN to a notebook's page
#: (src/core/jupyter/widgets.ts in Quarto's source: any text/html or application/javascript output).
CDN_MIMETYPES = ("text/html", "application/javascript")

#: Anchors of the glossary that other pages link to (``glossary.qmd#kappa``).
GLOSSARY_ANCHORS = (
    "consistent-pairing",
    "observed-agreement",
    "kappa",
    "weighted-kappa",
    "gwet-ac1-ac2",
    "krippendorff-alpha",
    "landis-koch",
    "interval",
    "p-value",
    "holm",
    "funnel-plot",
    "over-dispersion",
    "proportional-odds",
    "partial-pooling",
    "section-46",
    "section-47",
)

#: What the render must not contain: a script, stylesheet or CSS import from another host.
REMOTE_LOADS = (
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.I),
    re.compile(r"@import\s+(?:url\(\s*)?[\"']?\s*(?:https?:)?//", re.I),
)

CHUNK = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")


def config() -> dict:
    return yaml.safe_load(QUARTO_YML.read_text(encoding="utf-8"))


def html_format() -> dict:
    return config()["format"]["html"]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def nav_hrefs(node) -> list[str]:
    """Every href in a navigation structure (navbar, sidebar), in order."""
    if isinstance(node, list):
        return [h for item in node for h in nav_hrefs(item)]
    if isinstance(node, dict):
        own = [node["href"]] if isinstance(node.get("href"), str) else []
        return own + [h for key in ("left", "right", "menu", "contents") if key in node for h in nav_hrefs(node[key])]
    return [node] if isinstance(node, str) else []


def split_qmd(text: str) -> tuple[dict, str]:
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert m, "a .qmd page starts with YAML front matter"
    return yaml.safe_load(m.group(1)) or {}, m.group(2)


def remote_loads(text: str) -> list[str]:
    return [m.group(0)[:120] for pat in REMOTE_LOADS for m in pat.finditer(text)]


# --------------------------------------------------------------------------- nothing from other hosts


def test_remote_load_patterns():
    for bad in (
        '<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js"></script>',
        "<script type='module' src='//cdn.example.org/x.js'>",
        '<link href="http://fonts.example.org/a.css" rel="stylesheet">',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=X">',
        "@import url(http://fonts.example.org/a.css);",
        '@import url("https://fonts.googleapis.com/css2?family=X");',
        "@import 'https://fonts.example.org/a.css';",
    ):
        assert remote_loads(bad), bad
    for good in (
        '<script src="../site_libs/quarto-nav/quarto-nav.js"></script>',
        '<link href="../site_libs/bootstrap/bootstrap.min.css" rel="stylesheet">',
        '<a href="https://www.legislation.gov.uk/ukpga/1989/41/section/46">Section 46</a>',
        '<script id="x">var u = "https://example.org";</script>',
    ):
        assert not remote_loads(good), good


def test_no_html_or_javascript_output_in_committed_notebooks():
    found = []
    for path in sorted((PROJ_ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                found += [f"{path.name}, cell {i}: {mime}" for mime in out.get("data", {}) if mime in CDN_MIMETYPES]
    assert not found, "outputs that make Quarto load require.js and jQuery from a CDN: " + "; ".join(found)


def test_site_sources_load_nothing_from_other_hosts():
    for path in (QUARTO_YML, STYLES, SCRIPT, GLOSSARY):
        assert not remote_loads(path.read_text(encoding="utf-8")), path.name
    fmt = html_format()
    assert fmt.get("html-math-method") in ("mathml", "plain"), "MathJax and KaTeX load from a CDN"
    theme = as_list(fmt.get("theme", "default"))
    assert theme[0] == "default", "Bootswatch themes @import Google Fonts"
    # a brand file with Google or Bunny fonts makes Quarto @import them
    for name in ("_brand.yml", "_brand.yaml"):
        brand = PROJ_ROOT / name
        if brand.exists():
            assert not re.search(r"source:\s*(google|bunny)", brand.read_text(encoding="utf-8")), name
    assert not re.search(r"@import|url\(\s*[\"']?\s*(https?:)?//", STYLES.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- scroll regions: wiring


def script_source() -> str:
    m = re.search(r"<script\b([^>]*)>(.*?)</script>", SCRIPT.read_text(encoding="utf-8"), re.S)
    assert m, f"{SCRIPT.name} holds an inline <script>"
    assert "src" not in m.group(1), "the script is inline, so that it loads nothing"
    return m.group(2)


def test_quarto_includes_the_scroll_regions_script_on_every_page():
    includes = as_list(html_format().get("include-after-body", []))
    assert "assets/scroll-regions.html" in includes
    text = SCRIPT.read_text(encoding="utf-8")
    assert len(re.findall(r"<script\b", text)) == 1 and not re.search(r"<link\b|<style\b", text)
    # no page overrides the project's includes
    for page in PROJ_ROOT.glob("*.qmd"):
        front, _ = split_qmd(page.read_text(encoding="utf-8"))
        assert "include-after-body" not in json.dumps(front), page.name


def test_script_and_css_use_the_same_names():
    js, css = script_source(), STYLES.read_text(encoding="utf-8")
    assert 'classList.add("scroll-regions")' in js and "html:not(.scroll-regions)" in css
    assert 'className = "table-scroll"' in js and ".table-scroll" in css
    assert 'MARK = "data-scroll-region"' in js and "[data-scroll-region]:focus-visible" in css


# --------------------------------------------------------------------------- scroll regions: the CSS


def css_rules(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """``(media, selector, declarations)`` for every rule of a plain stylesheet (one level of @media)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: list[tuple[str, str, dict[str, str]]] = []

    def parse(block: str, media: str) -> None:
        pos = 0
        while True:
            m = re.compile(r"([^{}]+)\{").search(block, pos)
            if not m:
                return
            head = m.group(1).strip()
            if head.startswith("@media"):
                depth, i = 1, m.end()
                while depth:
                    depth += {"{": 1, "}": -1}.get(block[i], 0)
                    i += 1
                parse(block[m.end() : i - 1], head)
                pos = i
                continue
            end = block.index("}", m.end())
            decls = {}
            for d in block[m.end() : end].split(";"):
                if ":" in d:
                    k, v = d.split(":", 1)
                    decls[k.strip()] = v.strip()
            for selector in head.split(","):
                rules.append((media, " ".join(selector.split()), decls))
            pos = end + 1

    parse(text, "")
    return rules


def declared(selector: str, prop: str, media: str = "") -> str | None:
    """The value ``styles.css`` gives ``prop`` for exactly ``selector`` (the last one wins)."""
    value = None
    for m, sel, decls in css_rules(STYLES.read_text(encoding="utf-8")):
        if m == media and sel == selector and prop in decls:
            value = decls[prop]
    return value


def test_css_parser():
    rules = css_rules("/* c */ a, b > c { x: 1; y: 2 } @media (max-width: 9px) { d { z: 3; } } e{w:4}")
    assert rules == [
        ("", "a", {"x": "1", "y": "2"}),
        ("", "b > c", {"x": "1", "y": "2"}),
        ("@media (max-width: 9px)", "d", {"z": "3"}),
        ("", "e", {"w": "4"}),
    ]


def test_tables_scroll_in_their_own_box():
    assert declared(".table-scroll", "overflow-x") == "auto"
    assert declared(".table-scroll", "max-width") == "100%"
    # without JavaScript, tables scroll themselves on phones (as before)
    fallback = "@media (max-width: 767.98px)"
    assert declared("html:not(.scroll-regions) main table", "overflow-x", fallback) == "auto"
    assert declared("main table", "display", fallback) is None, "with the script, a table keeps display: table"


def test_focus_is_visible_on_a_scroll_region():
    outline = declared("main [data-scroll-region]:focus-visible", "outline")
    assert outline and re.match(r"\d+px solid #[0-9a-f]{6}$", outline, re.I)


def test_long_strings_wrap():
    assert declared("main", "overflow-wrap") == "anywhere"
    # Quarto gives inline code white-space: pre, which never wraps
    assert declared("main :not(pre) > code", "white-space") == "pre-wrap"
    assert declared("main :not(pre) > code", "overflow-wrap") == "anywhere"
    for link in ("main a", ".nav-footer a"):
        assert declared(link, "overflow-wrap") == "anywhere", link
    # a file name in a table breaks only at the <wbr> the page puts after its separators, never mid-word
    for link in ("main td a", "main th a"):
        assert declared(link, "overflow-wrap") == "break-word", link
    for cell in ("main td", "main th"):
        assert declared(cell, "overflow-wrap") in ("break-word", "anywhere"), cell
    for code in ("main td code", "main th code"):
        assert declared(code, "overflow-wrap") in ("break-word", "anywhere"), code
        assert declared(code, "display") == "inline-block" and declared(code, "max-width"), code


# --------------------------------------------------------------------------- touch targets (WCAG 2.2 2.5.8)

#: axe-core's "target-size" rule (WCAG 2.2 success criterion 2.5.8, level AA): a target that is not a
#: link inside a sentence passes on its size alone when it is at least this many CSS px each way.
MIN_TARGET_PX = 24

#: Quarto's breakpoint below which the navbar collapses and the breadcrumb bar shows (Bootstrap's lg).
BELOW_LG = "@media (max-width: 991.98px)"


def px(value: str | None) -> float:
    """A CSS length in px (px only, so that a rem or em size cannot pass by accident)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)px", value or "")
    assert m, f"expected a length in px, found {value!r}"
    return float(m.group(1))


def test_px_reads_only_pixel_lengths():
    assert px("24px") == 24 and px("23.5px") == 23.5
    for bad in ("1.5rem", "24", None, "auto"):
        with pytest.raises(AssertionError):
            px(bad)


def test_breadcrumb_links_are_targets_of_24px():
    # Quarto links the section crumb ("Analysis") to the section's first page: on a phone the bar under
    # the navbar holds two links of one 20 px line each, and a long page name put them 20 px apart
    # (axe: two "serious" target-size findings on the self-assessment page at 390 px).
    link = ".quarto-page-breadcrumbs .breadcrumb-item a"
    assert declared(link, "display") == "inline-block", "an inline link's box is its text's height, whatever min-height says"
    for prop in ("min-width", "min-height", "line-height"):
        assert px(declared(link, prop)) >= MIN_TARGET_PX, prop
    # the separator (floated by Bootstrap) sits beside the link, and on a phone the crumbs share one row
    assert declared(".quarto-page-breadcrumbs .breadcrumb-item", "display") == "flex"
    assert declared(".quarto-secondary-nav .quarto-page-breadcrumbs .breadcrumb", "flex-wrap", BELOW_LG) == "nowrap"


def test_sidebar_links_are_targets_of_24px():
    # Quarto: 17 px lines 6.8 px apart, which axe fails on fonts with other line metrics
    item = ".sidebar-navigation .sidebar-item"
    assert declared(item, "margin-top") == "0" and declared(item, "margin-bottom") == "0", "the rows keep their rhythm"
    link = ".sidebar-navigation .sidebar-item-container > .sidebar-link"
    assert px(declared(link, "min-height")) >= MIN_TARGET_PX
    assert declared(link, "padding-top") and declared(link, "padding-bottom"), "the space between rows is inside the link"


def test_figure_and_table_link_icons_are_targets_of_24px():
    # AnchorJS's icon on a captioned figure or table is 17 x 17 px, absolutely placed (so not inline in text)
    for icon in (".quarto-figure > .anchorjs-link", 'div[id^="tbl-"] > .anchorjs-link'):
        assert px(declared(icon, "min-width")) >= MIN_TARGET_PX, icon
        assert px(declared(icon, "min-height")) >= MIN_TARGET_PX, icon
        assert declared(icon, "display") == "flex" and declared(icon, "align-items") == "center", "the icon stays centred"


def test_other_quarto_controls_and_lone_table_links_are_at_least_24px_high():
    # block boxes in Quarto's own CSS (footer and contents links, <summary> is a list item): min-height applies
    for target in (".nav-footer .footer-items .nav-link", "#TOC .nav-link", "main details > summary"):
        assert px(declared(target, "min-height")) >= MIN_TARGET_PX, target
    # a link alone in a table cell is a target (on phones stacked rows bring such cells close together)
    for target in ("main td > a:only-child", "main th > a:only-child"):
        assert declared(target, "display") == "inline-block", target
        assert px(declared(target, "min-height")) >= MIN_TARGET_PX, target


# --------------------------------------------------------------------------- scroll regions: the script, under node

#: A stand-in DOM with just what the script uses, and the cases it must handle.
NODE_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");

class El {
  constructor(tag, attrs = {}, children = [], extra = {}) {
    this.tagName = tag.toUpperCase();
    this.attrs = {};
    for (const [k, v] of Object.entries(attrs)) this.attrs[k] = String(v);
    this.children = [];
    this.parentElement = null;
    this.text = extra.text || "";
    this.style = { overflowX: "visible", overflowY: "visible", ...(extra.style || {}) };
    this.scrollWidth = extra.scrollWidth || 100;
    this.clientWidth = extra.clientWidth || 100;
    this.scrollHeight = 50;
    this.clientHeight = 50;
    for (const c of children) this.appendChild(c);
  }
  get id() { return this.attrs.id || ""; }
  set id(v) { this.attrs.id = String(v); }
  get className() { return this.attrs.class || ""; }
  set className(v) { this.attrs.class = String(v); }
  get textContent() { return this.text + this.children.map((c) => c.textContent).join(""); }
  get ownerDocument() { return { createElement: (tag) => new El(tag) }; }
  hasAttribute(k) { return k in this.attrs; }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  removeAttribute(k) { delete this.attrs[k]; }
  appendChild(c) {
    if (c.parentElement) c.parentElement.children.splice(c.parentElement.children.indexOf(c), 1);
    c.parentElement = this;
    this.children.push(c);
    return c;
  }
  insertBefore(c, ref) {
    if (c.parentElement) c.parentElement.children.splice(c.parentElement.children.indexOf(c), 1);
    c.parentElement = this;
    this.children.splice(this.children.indexOf(ref), 0, c);
    return c;
  }
  descendants() { return this.children.flatMap((c) => [c, ...c.descendants()]); }
  matches(selector) {
    // "*", a tag name, or descendant selectors of tag names ("thead th")
    return selector.split(",").some((s) => {
      const parts = s.trim().split(/\s+/);
      const last = parts.pop();
      if (!(last === "*" || last.toUpperCase() === this.tagName)) return false;
      let e = this.parentElement;
      for (let i = parts.length - 1; i >= 0; i--) {
        while (e && e.tagName !== parts[i].toUpperCase()) e = e.parentElement;
        if (!e) return false;
        e = e.parentElement;
      }
      return true;
    });
  }
  querySelectorAll(selector) { return this.descendants().filter((e) => e.matches(selector)); }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
  closest(selector) {
    for (let e = this; e; e = e.parentElement) if (e.matches(selector)) return e;
    return null;
  }
  root() { let e = this; while (e.parentElement) e = e.parentElement; return e; }
  compareDocumentPosition(other) {
    const order = [this.root(), ...this.root().descendants()];
    return order.indexOf(other) > order.indexOf(this) ? 4 : 2;
  }
}

const source = fs.readFileSync(process.argv[2], "utf8");
const sandbox = { module: { exports: {} } };
vm.runInNewContext(source, sandbox);
const api = sandbox.module.exports;
const getStyle = (el) => el.style;
const scrolls = { overflowX: "auto", overflowY: "auto" };
const attrs = (el) => ({ ...el.attrs });

// Quarto's captioned notebook table: figure > figcaption + div > div.cell-output-display > table
const captioned = new El("div", { class: "cell-output-display" }, [new El("table")], { style: scrolls, scrollWidth: 900, clientWidth: 300 });
const figure = new El("figure", {}, [
  new El("figcaption", { id: "tbl-a-caption" }, [], { text: "Table 1: Grades by area" }),
  new El("div", { "aria-describedby": "tbl-a-caption" }, [captioned]),
]);
// an uncaptioned output under a heading, one that fits, one that already has a name, a pipe table with a <caption>
const heading = new El("h2", {}, [], { text: "Practice   areas" });
const uncaptioned = new El("div", { class: "cell-output-display" }, [new El("table")], { style: scrolls, scrollWidth: 900, clientWidth: 300 });
const fits = new El("div", { class: "cell-output-display" }, [new El("table")], { style: scrolls, scrollWidth: 300, clientWidth: 300 });
const named = new El("pre", { "aria-label": "Log", tabindex: "-1" }, [], { style: scrolls, scrollWidth: 900, clientWidth: 300 });
const bare = new El("table", {}, [new El("caption", {}, [], { text: "Files to download" })]);
const main = new El("main", {}, [figure, heading, uncaptioned, fits, named, bare]);

const out = {};
out.wrapped = api.wrapTables(main, getStyle);
out.bareParent = bare.parentElement.className;
out.bareGrandparent = bare.parentElement.parentElement.tagName;
out.captionedParent = captioned.children[0].parentElement === captioned;
const box = bare.parentElement;
box.style = scrolls;
box.scrollWidth = 800;
box.clientWidth = 300;

out.regions = api.update(main, getStyle);
out.captioned = attrs(captioned);
out.uncaptioned = attrs(uncaptioned);
out.fits = attrs(fits);
out.named = attrs(named);
out.box = attrs(box);
out.caption = attrs(bare.children[0]);

// content fits again (window widened): the script takes back only what it added
for (const el of [captioned, uncaptioned, named, box]) el.scrollWidth = el.clientWidth;
out.regionsAfter = api.update(main, getStyle);
out.captionedAfter = attrs(captioned);
out.namedAfter = attrs(named);
out.boxAfter = attrs(box);

// a table that itself scrolls keeps its role
const wide = new El("table", {}, [], { style: scrolls, scrollWidth: 900, clientWidth: 300 });
const main2 = new El("main", {}, [new El("h3", {}, [], { text: "Wide" }), wide]);
api.update(main2, getStyle);
out.wideTable = attrs(wide);

// vertical scrolling counts too
const tall = new El("div", {}, [], { style: scrolls });
tall.scrollHeight = 500;
out.tall = api.overflows(tall, tall.style);
out.hidden = api.overflows({ scrollWidth: 900, clientWidth: 300, scrollHeight: 0, clientHeight: 0 }, { overflowX: "hidden", overflowY: "hidden" });

// stacking on a phone: a table of four columns at once; a smaller one only when it does not fit its box
function table(cols, extra) {
  const cells = (tag) => Array.from({ length: cols }, (_, i) => new El(tag, {}, [], { text: tag + i }));
  return new El("table", {}, [new El("thead", {}, [new El("tr", {}, cells("th"))]), new El("tbody", {}, [new El("tr", {}, cells("td"))])], extra);
}
const four = table(4, { scrollWidth: 300 });
const twoFits = table(2, { scrollWidth: 300 });
const twoWide = table(2, { scrollWidth: 900 });
const one = table(1, { scrollWidth: 900 });
const main3 = new El("main", {}, [four, twoFits, twoWide, one].map((t) => new El("div", { class: "table-scroll" }, [t], { clientWidth: 300, scrollWidth: t.scrollWidth })));
out.stackedAtOnce = api.labelTables(main3);
out.stackedLater = api.stackOverflowing(main3);
out.stackedAgain = api.stackOverflowing(main3);
out.stackClasses = [four, twoFits, twoWide, one].map((t) => t.className);
out.cellLabel = twoWide.querySelectorAll("td")[1].getAttribute("data-label");
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node_results(tmp_path_factory) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the script's behaviour is tested with node")
    tmp = tmp_path_factory.mktemp("scroll_regions")
    (tmp / "script.js").write_text(script_source(), encoding="utf-8")
    (tmp / "harness.js").write_text(NODE_HARNESS, encoding="utf-8")
    proc = subprocess.run([node, str(tmp / "harness.js"), str(tmp / "script.js")], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_tables_without_a_scrolling_box_get_one(node_results):
    r = node_results
    assert r["wrapped"] == 1, "only the table outside any scrolling box is wrapped"
    assert r["bareParent"] == "table-scroll" and r["bareGrandparent"] == "MAIN"
    assert r["captionedParent"], "a table in Quarto's cell-output-display is left where it is"


def test_each_overflowing_region_is_focusable_and_named(node_results):
    r = node_results
    assert r["regions"] == 4
    assert r["captioned"] == {
        "class": "cell-output-display",
        "tabindex": "0",
        "role": "region",
        "aria-labelledby": "tbl-a-caption",
        "data-scroll-region": "tabindex role aria-labelledby",
    }
    assert r["uncaptioned"]["tabindex"] == "0" and r["uncaptioned"]["role"] == "region"
    assert r["uncaptioned"]["aria-label"] == "Table in section \u201cPractice areas\u201d, scrolls sideways"
    # a <caption> names its wrapper, and gets an id for that
    assert r["box"]["aria-labelledby"] == r["caption"]["id"] and r["caption"]["id"]
    assert r["box"]["role"] == "region" and r["box"]["tabindex"] == "0"
    assert r["fits"] == {"class": "cell-output-display"}, "content that fits is not a tab stop"


def test_the_page_own_attributes_are_kept(node_results):
    r = node_results
    assert r["named"]["aria-label"] == "Log" and r["named"]["tabindex"] == "-1"
    assert r["named"]["role"] == "region" and r["named"]["data-scroll-region"] == "role"
    assert r["namedAfter"] == {"aria-label": "Log", "tabindex": "-1"}


def test_regions_are_undone_when_content_fits_again(node_results):
    r = node_results
    assert r["regionsAfter"] == 0
    assert r["captionedAfter"] == {"class": "cell-output-display"}
    assert r["boxAfter"] == {"class": "table-scroll"}


def test_a_scrolling_table_keeps_its_role(node_results):
    wide = node_results["wideTable"]
    assert "role" not in wide and wide["tabindex"] == "0"
    assert wide["aria-label"] == "Table in section \u201cWide\u201d, scrolls sideways"


def test_tables_stack_on_a_phone_when_wide_or_when_they_do_not_fit(node_results):
    r = node_results
    assert r["stackedAtOnce"] == 1 and r["stackedLater"] == 1 and r["stackedAgain"] == 0
    assert r["stackClasses"] == ["table-stack", "", "table-stack", ""], "four columns at once; two only when too wide; one never"
    assert r["cellLabel"] == "th1", "each cell is labelled with its column's header"


def test_overflow_in_either_direction_counts_only_if_the_box_scrolls(node_results):
    assert node_results["tall"] is True
    assert node_results["hidden"] is False


# --------------------------------------------------------------------------- the glossary


def glossary() -> tuple[dict, str]:
    return split_qmd(GLOSSARY.read_text(encoding="utf-8"))


def prose(body: str) -> str:
    """The glossary's Markdown without its code chunks and inline expressions."""
    return INLINE.sub("", re.sub(r"^```.*?^```[ \t]*$", "", body, flags=re.M | re.S))


def test_glossary_is_rendered_and_in_the_navigation():
    cfg = config()
    assert "glossary.qmd" in cfg["project"]["render"]
    assert "glossary.qmd" in nav_hrefs(cfg["website"]["navbar"])
    assert "glossary.qmd" in nav_hrefs(cfg["website"]["sidebar"])
    front, _ = glossary()
    assert front["title"] == "Glossary" and front.get("jupyter") == "python3"


def test_glossary_has_every_anchor_once_on_a_heading():
    _, body = glossary()
    headings = re.findall(r"^#{2,4} .*\{#([a-z0-9-]+)\}\s*$", body, re.M)
    anchors = re.findall(r"\{#([a-z0-9-]+)\}", body)
    for anchor in GLOSSARY_ANCHORS:
        assert anchor in headings, f"glossary.qmd has no heading {{#{anchor}}}"
        assert anchors.count(anchor) == 1, f"{anchor} is defined {anchors.count(anchor)} times"
    entries = re.findall(r"^### .*$", body, re.M)
    assert all(re.search(r"\{#[a-z0-9-]+\}\s*$", h) for h in entries), "every entry has an explicit anchor"


def test_glossary_types_no_numbers():
    # Names, citations and a legislation address may carry digits; every other number is computed.
    allowed = (
        r"Children Act 1989",
        r"https://www\.legislation\.gov\.uk/ukpga/1989/41/section/4[67]",
        r"[Ss]ection 4[67]",
        r"section-4[67]",
        r"\((?:Landis and Koch )?1977\)|Landis and Koch \(1977\)",
        r"Holm 1979",
        r"AC[12]",
        r"ac1-ac2",
    )
    _, body = glossary()
    text = prose(body)
    for pattern in allowed:
        text = re.sub(pattern, "", text)
    typed = re.findall(r".{0,30}\d.{0,30}", text)
    assert not typed, f"numbers typed into glossary.qmd (compute them in a chunk): {typed}"


def test_glossary_links_exist():
    _, body = glossary()
    links = re.findall(r"\]\(([^)\s]+)\)", prose(body))
    local = [link.split("#")[0] for link in links if not re.match(r"^[a-z]+:", link) and link.split("#")[0]]
    assert all((PROJ_ROOT / link).is_file() for link in local), local
    anchors = set(re.findall(r"\{#([a-z0-9-]+)\}", body))
    assert all(link[1:] in anchors for link in links if link.startswith("#")), links


def test_glossary_code_runs_and_shows_the_bands(monkeypatch):
    """Run the chunks and inline expressions in order, as Quarto does, at the project root."""
    _, body = glossary()
    monkeypatch.chdir(PROJ_ROOT)
    namespace: dict = {"__name__": "__main__"}
    shown = io.StringIO()
    values = []
    pos = 0
    for m in [*CHUNK.finditer(body), None]:
        segment = body[pos : m.start() if m else len(body)]
        for expr in INLINE.findall(segment):
            value = eval(expr, namespace)
            assert isinstance(value, str | int | float), f"`{expr}` is a {type(value).__name__}"
            assert str(value).strip() and not re.search(r"\b(nan|None|inf)\b", str(value)), f"`{expr}` gave {value!r}"
            values.append(str(value))
        if m is None:
            break
        with contextlib.redirect_stdout(shown):
            exec(compile(m.group(1), "glossary.qmd", "exec"), namespace)
        pos = m.end()
    table = shown.getvalue()
    assert table.rstrip().endswith("{#tbl-landis-koch}")
    for lo, hi, label in LANDIS_KOCH_BANDS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
        for limit in (lo, hi):
            assert f"{abs(limit):.2f}" in row, (label, limit, row)
    assert values, "the glossary shows computed values"


# --------------------------------------------------------------------------- the rendered site (Quarto)


def quarto_exe() -> str | None:
    return shutil.which(os.environ.get("QUARTO") or "quarto")


@pytest.fixture(scope="module")
def rendered_site(tmp_path_factory) -> Path:
    """The site rendered once by Quarto from a copy of the project (as tests/site/test_site.py does)."""
    copy = tmp_path_factory.mktemp("site_access") / "project"
    shutil.copytree(
        PROJ_ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "_site", ".git", ".quarto", ".build", "downloads", "__pycache__", "*.egg-info", ".pytest_cache", ".ipynb_checkpoints"
        ),
    )
    env = {**os.environ, "QUARTO_PYTHON": sys.executable, "NO_COLOR": "1"}
    proc = subprocess.run([quarto_exe(), "render"], cwd=copy, env=env, capture_output=True, text=True, timeout=3600, check=False)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return copy / "_site"


needs_quarto = pytest.mark.skipif(
    quarto_exe() is None,
    reason="the Quarto CLI was not found ($QUARTO, then `quarto` on PATH); install it from https://quarto.org/docs/get-started/ to run the render tests",
)


@pytest.mark.quarto
@needs_quarto
def test_rendered_site_loads_nothing_from_other_hosts(rendered_site):
    found = []
    for path in sorted(rendered_site.rglob("*")):
        if path.suffix in (".html", ".css", ".js") and path.is_file():
            found += [
                f"{path.relative_to(rendered_site)}: {hit}" for hit in remote_loads(path.read_text(encoding="utf-8", errors="replace"))
            ]
    assert not found, "the rendered site loads from other hosts: " + "; ".join(found)


@pytest.mark.quarto
@needs_quarto
def test_rendered_pages_carry_the_scroll_regions_script(rendered_site):
    from analysis.render import render_pages

    pages = [rendered_site / Path(p).with_suffix(".html") for p in render_pages()]
    assert pages and all(p.is_file() for p in pages), [str(p) for p in pages if not p.is_file()]
    missing = [str(p.relative_to(rendered_site)) for p in pages if 'id="scroll-regions-script"' not in p.read_text(encoding="utf-8")]
    assert not missing, f"pages without the scroll-regions script: {missing}"


@pytest.mark.quarto
@needs_quarto
def test_rendered_glossary_has_its_anchors_and_is_linked(rendered_site):
    page = (rendered_site / "glossary.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert not [a for a in GLOSSARY_ANCHORS if a not in ids]
    assert re.search(r'href="(\./)?glossary\.html"', (rendered_site / "index.html").read_text(encoding="utf-8"))
