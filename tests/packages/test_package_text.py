"""A package's words are text, never markup: nothing from an audit package can put HTML, script, a link or a Quarto shortcode on a page.

The hostile fixture (``tests/fixtures/packages/hostile``, made up) holds in every text field an
HTML tag with an event handler, a script block, a Markdown image and link to ``javascript:``
addresses, Quarto ``env``, ``meta`` and ``include`` shortcodes, inline ``{python}`` code, a raw HTML
fence and raw inline HTML, and ``$`` math. ``report`` runs on it once (module fixture, Quarto
replaced by a stub that keeps the site source it was given); every notebook Markdown output, the
home page, the site configuration and the Data page's Markdown are rendered with a real Markdown
parser (mistune, raw HTML passed through as Pandoc does) and the HTML parsed with
:mod:`html.parser`; every SVG chart is parsed with :mod:`xml.etree`. Control characters and
10,000-character texts are refused in one line, field by field.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import mistune
import pandas as pd
import pytest
import yaml
from conftest import REPORT_SENTINEL

from analysis import data_page
from analysis.cli import main
from analysis.data.package import update_hashes
from analysis.data.paths import RAW_DIR
from analysis.display import pipe_table
from analysis.narrative.style import as_html, as_text, html_link, link, web_address
from analysis.notebooks import NOTEBOOKS_DIR

HOSTILE = Path(__file__).parents[1] / "fixtures" / "packages" / "hostile"
SENTINEL_NAME, SENTINEL_VALUE = REPORT_SENTINEL

#: The hostile strings of the fixture, each as the package writes it.
ATTACKS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "![pic](javascript:alert(3)) [link](javascript:alert(4))",
    "{{< env ANALYSIS_HOSTILE_SENTINEL >}} {{< meta title >}} {{< include /etc/hostname >}}",
    '`{python} __import__("os").environ`',
    "```{=html} <b>raw</b> ``` `<i>raw</i>`{=html}",
    "$x^2$ and $$y$$",
)
#: Markup a page may hold: what the project's own Markdown makes (paragraphs, emphasis, lists,
#: headings, tables, inline code and links). No image, script, raw ``<b>``/``<i>`` or anything else.
ALLOWED_TAGS = {
    "wbr",  # the project's own break points in file and column names (analysis.display.breakable)
    "details",  # the Data page folds each file's dictionary
    "summary",
    "p",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "a",
}
#: Sequences Pandoc or Quarto would act on: a shortcode, inline code to run, a raw block or inline, math.
QUARTO_MARKUP = ("{{<", "{{%", "{python}", "{=html}", "$x^2$", "$$y$$", "](javascript:")

#: An inline code span (every backtick a package writes is a character reference, so backticks left are the project's).
CODE_SPAN = re.compile(r"`([^`]*)`")

render_markdown = mistune.create_markdown(escape=False, plugins=["table"])


class _Page(HTMLParser):
    """Every element (tag, attributes) and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(fragment: str) -> _Page:
    page = _Page()
    page.feed(fragment)
    page.close()
    return page


def _outside_code(markdown: str, where: str) -> str:
    """``markdown`` without its inline code spans, each checked to be inert (Quarto reads shortcodes and ``{python}`` in code too)."""
    for content in CODE_SPAN.findall(markdown):
        assert "{{" not in content and not content.startswith("{"), (where, content)
    return CODE_SPAN.sub("", markdown)


def assert_text_only(markdown: str, where: str) -> str:
    """``markdown`` holds no markup a package could have put there; returns the text it shows."""
    outside = _outside_code(markdown, where)
    for seq in QUARTO_MARKUP:
        assert seq not in outside, (where, seq)
    page = parse_html(render_markdown(markdown))
    for tag, attrs in page.elements:
        assert tag in ALLOWED_TAGS, (where, tag, attrs)
        for name, value in attrs:
            assert not name.lower().startswith("on"), (where, tag, name)
            if name in ("href", "src"):
                assert value and not value.lower().lstrip().startswith(("javascript:", "data:", "vbscript:", "file:")), (where, value)
                assert "alert" not in value and "example.org/made-up" not in value, (where, value)
    return "".join(page.text)


# --------------------------------------------------------------------------- the one function


@pytest.mark.parametrize("attack", ATTACKS)
def test_as_text_shows_each_attack_as_the_very_same_text(attack):
    shown = assert_text_only(as_text(attack), attack)
    assert shown.strip() == attack
    cell = pipe_table(pd.DataFrame({"name": [attack], "n": [1]}))
    assert attack in assert_text_only(cell, attack)


@pytest.mark.parametrize("attack", ATTACKS)
def test_as_html_is_text_in_an_element_and_in_an_attribute(attack):
    page = parse_html(f"<p title=\"{as_html(attack)}\" data-x='{as_html(attack)}'>{as_html(attack)}</p>")
    assert [tag for tag, _ in page.elements] == ["p"]
    assert dict(page.elements[0][1]) == {"title": attack, "data-x": attack}
    assert "".join(page.text) == attack


def test_as_text_keeps_plain_words_byte_for_byte_and_puts_control_characters_on_one_line():
    words = ["Gwent Police", "HM Inspectorate of Constabulary and Fire & Rescue Services", "force_selected", "p < 0.05", "-0.33", "4. Case"]
    assert [as_text(w) for w in words] == words
    assert as_text("a\tb\nc\u2028d") == "a b c d"
    assert as_text("# heading") != "# heading" and as_text("- item") != "- item" and as_text("_x_") != "_x_"


def test_every_string_of_gwents_package_is_unchanged_by_as_text():
    """Gwent's words hold no markup, so its pages and notebooks are the same bytes as before."""
    changed = []
    for path in sorted(RAW_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                changed += [(path.name, k, v) for k, v in row.items() if k not in ("source_url", "url") and as_text(v) != v]
    meta = json.loads((RAW_DIR / "audit.json").read_text(encoding="utf-8"))
    strings = [meta["force"], meta["title"], meta["licence"], *meta["grades"], *(s["title"] for s in meta["sources"])]
    changed += [("audit.json", s) for s in strings if as_text(s) != s]
    assert changed == []


@pytest.mark.parametrize(
    ("url", "is_link"),
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org/a_(b)", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("/etc/passwd", False),
        ("file:///etc/passwd", False),
        ('https://example.org/"onmouseover="alert(1)', False),
        ("https://example.org/<script>", False),
        ("https://example.org/ x", False),
    ],
)
def test_only_http_and_https_addresses_become_links(url, is_link):
    assert (web_address(url) is not None) == is_link
    for made in (link("the <b>source</b>", url), html_link("the <b>source</b>", url)):
        page = parse_html(render_markdown(made))
        anchors = [dict(attrs) for tag, attrs in page.elements if tag == "a"]
        assert [tag for tag, _ in page.elements if tag not in ("p", "a")] == []
        assert "".join(page.text).strip() == "the <b>source</b>"
        if is_link:
            assert len(anchors) == 1 and anchors[0]["href"].replace("%28", "(").replace("%29", ")") == url
        else:
            assert anchors == []


# --------------------------------------------------------------------------- refused in one line


def _audit_edits():
    for field in ("force", "title", "licence", "grades", "source title", "source url"):
        for kind in ("control character", "10,000 characters"):
            yield pytest.param(field, kind, id=f"{field}-{kind}")


def _set_audit(doc: dict, field: str, value: str) -> None:
    if field == "grades":
        doc["grades"][1] = value
    elif field == "source title":
        doc["sources"][0]["title"] = value
    elif field == "source url":
        doc["sources"][0]["url"] = "https://example.org/" + value.replace(" ", "-")
    else:
        doc[field] = value


def _refused_in_one_line(folder: Path, tmp_path: Path, capsys, *fragments: str) -> str:
    out = tmp_path / "out"
    assert main(["process", "--raw", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert len(lines[0]) < 1000 and not out.exists()
    return lines[0]


@pytest.mark.parametrize(("field", "kind"), list(_audit_edits()))
def test_audit_json_refuses_control_characters_and_over_long_text_naming_the_field(field, kind, tmp_path, capsys):
    folder = tmp_path / "package"
    shutil.copytree(HOSTILE, folder)
    doc = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    value = "fair\u0007grade" if kind == "control character" else "x" * 10_000
    _set_audit(doc, field, value)
    (folder / "audit.json").write_text(json.dumps(doc), encoding="utf-8")
    update_hashes(folder)
    column = {"source title": "sources", "source url": "sources"}.get(field, field)
    _refused_in_one_line(folder, tmp_path, capsys, "audit.json", f"'{column}'", "U+0007" if kind == "control character" else "10,0")


@pytest.mark.parametrize("column", ["area", "grades", "wording", "source"])
@pytest.mark.parametrize("kind", ["control character", "10,000 characters"])
def test_figures_csv_refuses_control_characters_and_over_long_text_naming_the_row_and_column(column, kind, tmp_path, capsys):
    folder = tmp_path / "package"
    shutil.copytree(HOSTILE, folder)
    with (folder / "figures.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[2][column] = "a\tb" if kind == "control character" else "y" * 10_000
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "figures.csv").write_text(buffer.getvalue(), encoding="utf-8")
    update_hashes(folder)
    _refused_in_one_line(folder, tmp_path, capsys, "figures.csv", "row 3", f"column '{column}'")


# --------------------------------------------------------------------------- report on the hostile package


@pytest.fixture(scope="module")
def hostile_report(package_report) -> Path:
    """``report`` on the hostile package with a secret in the environment and a stub Quarto that keeps the site source (``package_report``, conftest)."""
    return package_report("hostile")


def _outputs(folder: Path, mime: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown" and mime == "text/markdown":
                found.append((f"{path.name} cell {i} (markdown cell)", "".join(cell["source"])))
            for out in cell.get("outputs", []):
                if mime in out.get("data", {}):
                    found.append((f"{path.name} cell {i}", "".join(out["data"][mime])))
    return found


NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOK_NAMES)
def test_no_notebook_markdown_output_holds_markup_from_the_package(hostile_report, notebook):
    outputs = [(w, md) for w, md in _outputs(hostile_report, "text/markdown") if w.startswith(notebook)]
    assert outputs
    for where, markdown in outputs:
        assert_text_only(markdown, where)


def test_the_package_words_are_shown_as_text_in_the_notebooks(hostile_report):
    shown = " ".join(assert_text_only(md, w) for w, md in _outputs(hostile_report, "text/markdown"))
    meta = json.loads((HOSTILE / "audit.json").read_text(encoding="utf-8"))
    for text in (meta["force"], meta["title"], meta["licence"], meta["sources"][0]["title"], *meta["grades"]):
        assert text in shown, text
    for attack in ATTACKS:
        assert attack in shown


@pytest.mark.parametrize("notebook", NOTEBOOK_NAMES)
def test_svg_charts_hold_the_package_words_as_text_only(hostile_report, notebook):
    for where, svg in [(w, s) for w, s in _outputs(hostile_report, "image/svg+xml") if w.startswith(notebook)]:
        tree = ElementTree.fromstring(svg)
        for element in tree.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject", "iframe", "image", "a"), (where, tag)
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].lower().startswith("on"), (where, name)
                assert "javascript:" not in value, (where, name)
        texts = "".join("".join(e.itertext()) for e in tree.iter() if e.tag.endswith("text"))
        if "fair" in texts:  # a chart that names the grades draws "$x^2$" as it is, not as mathtext
            assert "$x^2$" in texts, where


def test_the_report_home_page_and_site_configuration_hold_no_markup_from_the_package(hostile_report):
    source = hostile_report / "_site" / "source"
    page = (source / "index.qmd").read_text(encoding="utf-8")
    _, front, body = page.split("---\n", 2)
    meta = yaml.safe_load(front)
    audit = json.loads((HOSTILE / "audit.json").read_text(encoding="utf-8"))
    assert assert_text_only(meta["title"], "title").strip() == audit["title"]
    assert audit["force"] in assert_text_only(meta["subtitle"], "subtitle")
    shown = assert_text_only(body, "index.qmd")
    assert all(g in shown for g in audit["grades"]) and audit["sources"][0]["title"] in shown
    config = yaml.safe_load((source / "_quarto.yml").read_text(encoding="utf-8"))
    website = config["website"]
    assert audit["force"] in assert_text_only(website["title"], "website title")
    assert audit["title"] in assert_text_only(website["description"], "website description")
    assert audit["licence"] in assert_text_only(website["page-footer"]["left"], "page footer")


def test_the_data_page_shows_the_package_descriptor_as_text(hostile_report):
    raw, processed = HOSTILE, hostile_report / "processed"
    files = data_page.data_files(raw, processed)
    parts = {
        "licence": data_page.licence_statement(processed),
        "raw downloads": data_page.download_table(files, "raw"),
        "processed downloads": data_page.download_table(files, "processed"),
        "raw dictionary": data_page.data_dictionary("raw", raw),
        "processed dictionary": data_page.data_dictionary("processed", processed),
    }
    for where, markdown in parts.items():
        assert_text_only(markdown, where)
    assert json.loads((HOSTILE / "audit.json").read_text(encoding="utf-8"))["title"] in assert_text_only(parts["licence"], "licence")


def test_no_environment_variable_or_file_reaches_the_report(hostile_report):
    for path in hostile_report.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SENTINEL_VALUE.encode() not in data, path


# --------------------------------------------------------------------------- a package's further tables (Gwent's shape)


def test_the_national_tables_and_sentences_show_force_names_and_reasons_as_text():
    """The national panel's tables with hostile force names and reasons (as a package could carry them) show them as text."""
    from analysis.data.load import load_audit
    from analysis.narrative import national as nn

    processed = RAW_DIR.parent / "processed"
    compared = load_audit().meta.id
    hostile = " ".join(ATTACKS)
    panel = pd.read_csv(processed / "national_panel.csv", dtype={"published": str})
    pairs = pd.read_csv(processed / "national_pairs.csv", dtype={"published": str})
    changes = pd.read_csv(processed / "national_changes.csv", dtype={"first_published": str, "second_published": str})
    for frame in (panel, pairs, changes):
        frame["force"] = "Force " + hostile
    panel["reason"] = "Reason " + hostile
    shown = assert_text_only(pipe_table(nn.documents_table(panel)), "documents")
    assert "Force " + hostile in shown and "Reason " + hostile in shown
    texts = [nn.pairs_text(pairs, compared), nn.changes_text(changes, panel), nn.beside_other_forces(panel, pairs, changes, compared)]
    positions = pd.read_csv(processed / "funnel_positions.csv")
    positions["force"] = "Force " + hostile
    dispersion = pd.read_csv(processed / "funnel_dispersion.csv")
    texts.append(nn.funnel_headline(positions))
    for measure in nn.FUNNEL_MEASURES:
        texts += [nn.outside_text(positions, measure), nn.compared_verdict(positions, dispersion, measure)]
    for i, text in enumerate(texts):
        assert hostile in assert_text_only(text, f"sentence {i}"), i


def test_only_the_files_the_package_describes_reach_the_site(hostile_report):
    """The fixture's folder also holds ``stray.html`` (a page with a script): the site offers only the described files."""
    assert (HOSTILE / "stray.html").is_file()
    described = {
        "datapackage.json",
        *(r["path"] for r in json.loads((HOSTILE / "datapackage.json").read_text(encoding="utf-8"))["resources"]),
    }
    staged = hostile_report / "_site" / "source" / "data" / "raw"
    assert {p.name for p in staged.iterdir()} == described
    assert not [p for p in hostile_report.rglob("stray.html")]


def test_a_styler_in_a_notebook_kernel_shows_cells_as_text(monkeypatch):
    """``register_formatters`` (run when a kernel imports ``analysis``) makes pandas Stylers escape their cells for HTML."""
    import IPython

    from analysis.display import register_formatters

    class Formatter:
        def for_type_by_name(self, *args):
            pass

    class Shell:
        display_formatter = type("Display", (), {"formatters": {"text/plain": Formatter()}})()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    with pd.option_context("styler.format.escape", None):
        assert register_formatters()
        styled = pd.DataFrame({"grade": [ATTACKS[0]]}).style.set_uuid("t").to_html()
    assert "<img" not in styled and "&lt;img" in styled
