"""The home page a lay reader takes in at a glance, and plain words everywhere: structure checked without Quarto."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat
import pytest

from analysis import site
from analysis.data.paths import PROJ_ROOT
from analysis.sections.area_order import smallest_adjusted

INDEX = (PROJ_ROOT / "index.qmd").read_text(encoding="utf-8")
GLOSSARY = (PROJ_ROOT / "glossary.qmd").read_text(encoding="utf-8")


def body(text: str) -> str:
    return text.split("\n---\n", 1)[1]


def prose(text: str) -> str:
    """The page without its code chunks."""
    return re.sub(r"```\{python\}.*?```", "", text, flags=re.S)


def test_the_bottom_line_comes_first():
    page = prose(body(INDEX)).strip()
    first = page.split("\n\n")[0]
    assert first.startswith(":::") and 'title="The bottom line"' in first and "`{python} front.bottom_line`" in page.split(":::")[1]


@pytest.fixture(scope="module")
def front():
    return site.front_page()


def test_front_page_sentences_carry_the_figures(front):
    assert "at least 17 of the 33 better" in front.bottom_line and "23 of 80 (29%)" in front.bottom_line
    assert front.dates.startswith("Report published June 2019; inspection fieldwork 4 to 15 February 2019; analysis as of ")
    assert re.search(r"analysis as of (\d{1,2} \w+ \d{4}|not recorded)", front.dates)
    assert "with 95% confidence" in front.figure_caption and "whatever the pairing" in front.figure_caption.lower()
    assert front.meaning and front.cannot_tell
    # inside the funnel is not sameness: the sentence says so, and says who lies outside under each kind of limit
    assert "no different" not in front.national
    assert "Inside the limits does not show that Gwent is the same as the forces compared" in front.national
    assert "Outside the 95% limits: for the share graded inadequate, one force under each of the three kinds of limit" in front.national
    # the panel's counts, read from the processed set (national_panel.csv), and a range said as depending on the count
    panel = site.read_processed("national_panel.csv")
    from analysis.data.load import load_audit

    others = panel.loc[panel["audit_id"].ne(load_audit().meta.id)].drop_duplicates("audit_id")
    assert f"holds {len(others)} other published audits" in front.national and "mostly" not in front.national
    assert "it depends on counts the figures leave open (Metropolitan 2016, from below the 99.8%" in front.national
    for text in (front.bottom_line, front.dates, front.figure_caption, *front.meaning, *front.cannot_tell, front.national):
        assert not re.search(r"\b(nan|None)\b", text)


def test_a_kappa_is_never_read_as_a_percentage_of_cases(front):
    line = next(t for t in front.cannot_tell if "kappa" in t)
    kappa = re.search(r"value here, (\d\.\d\d)", line).group(1)
    assert f"does not mean that {round(100 * float(kappa))}% of cases agreed" in line


def test_the_headline_figure_has_alt_text_and_a_computed_caption():
    fig = re.search(r"::: \{#fig-headline\}\n(.*?)\n:::", INDEX, re.S).group(1)
    assert "#| fig-alt:" in fig
    assert fig.rstrip().endswith("`{python} front.figure_caption`")


def test_the_meaning_box_and_the_national_sentence():
    assert 'title="What this means, and what it cannot tell you"' in INDEX
    assert "front.meaning" in INDEX and "front.cannot_tell" in INDEX
    assert "`{python} front.national`" in INDEX


def test_the_download_list():
    section = INDEX.split("## Download the data and charts", 1)[1].split("\n## ", 1)[0]
    assert "data/processed/datapackage.json" in section and "data.qmd#processed-files" in section and "data.qmd#raw-files" in section
    assert "#| output: asis" in section and "{headline_chart}" in section  # a link must be printed as Markdown, not inlined
    data_page = (PROJ_ROOT / "data.qmd").read_text(encoding="utf-8")
    assert "### Raw files" in data_page and "### Processed files" in data_page  # the anchors the links use


def test_svg_download_is_self_contained_and_deterministic():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    first, second = site.svg_download(fig, "x.svg", "A chart"), site.svg_download(fig, "x.svg", "A chart")
    plt.close(fig)
    assert first == second
    link = re.fullmatch(r"\[A chart \(SVG\)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)\{download=\"x\.svg\"\}", first)
    svg = base64.b64decode(link.group(1)).decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert not re.search(r"(xlink:)?href=\"(https?:)?//|@import|url\((https?:)?//", svg)  # namespaces only, nothing loaded from elsewhere


# --------------------------------------------------------------------------- plain words everywhere


def glossary_anchors() -> set[str]:
    return set(re.findall(r"\{#([a-z0-9-]+)\}", GLOSSARY))


def glossary_links() -> list[tuple[str, str]]:
    found = []
    for path in [*PROJ_ROOT.glob("*.qmd"), *PROJ_ROOT.glob("notebooks/*.ipynb")]:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells) + "\n".join(
                "".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", [])
            )
        else:
            text = path.read_text(encoding="utf-8")
        found += [(path.name, anchor) for anchor in re.findall(r"glossary\.(?:qmd|md)#([a-z0-9-]+)", text)]
    return found


def test_every_glossary_link_has_its_anchor():
    anchors = glossary_anchors()
    links = glossary_links()
    assert links, "no page links to the glossary"
    assert [link for link in links if link[1] not in anchors] == []


@pytest.mark.parametrize(
    "anchor", ["kappa", "landis-koch", "consistent-pairing", "interval", "p-value", "funnel-plot", "section-46", "section-47"]
)
def test_the_terms_a_lay_reader_needs_are_linked_from_some_page(anchor):
    assert anchor in {a for _, a in glossary_links()}


def test_one_term_per_idea_for_intervals():
    """'95% interval' everywhere: no '95% CI' or 'confidence interval' in what readers see."""
    offenders = []
    for path in [*PROJ_ROOT.glob("*.qmd"), *PROJ_ROOT.glob("notebooks/*.ipynb")]:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown") + "\n".join(
                "".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", [])
            )
        else:
            text = prose(path.read_text(encoding="utf-8"))
        offenders += [f"{path.name}: {m}" for m in re.findall(r"95% CI|confidence interval", text)]
    assert offenders == []


def test_no_alt_text_promises_text_that_is_not_there():
    for path in PROJ_ROOT.glob("notebooks/*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for alt in re.findall(r"#\| fig-alt: (.*)", cell.source):
                assert "text below" not in alt and "the text says" not in alt, (path.name, alt)


def test_each_notebook_says_how_to_open_it_in_jupyterlab():
    for path in PROJ_ROOT.glob("notebooks/*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        intro = next(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "make lab" in intro and "JupyterLab" in intro, path.name


def test_numbers_with_several_meanings_are_each_labelled(front):
    """Issue 27: the same figure meaning different things on one page is told apart by its words."""
    # the count graded better is the bottom line's; the caption gives the gap in percentage points, not a second "17"
    assert "at least 17 of the 33" in front.bottom_line and "17" not in front.figure_caption
    assert "52 percentage points" in front.figure_caption
    # two p-values of 0.10 in neighbouring bullets: each is named by its test
    areas = next(t for t in front.meaning if "area" in t)
    samples = next(t for t in front.cannot_tell if "easier cases" in t)
    summary = site.read_processed("area_summary.csv")
    smallest = site.p_text(smallest_adjusted(summary)).removeprefix("p = ")
    family = f"all {site.number_word(2 * len(summary))} area-against-rest tests, inadequate and good alike"  # each area, in two grades
    assert f"Holm-adjusted p-value over {family}, is {smallest})" in areas
    assert "proportional-odds test of the two samples over all grades: p = 0.10" in samples
    # the assumption sentence (another 23, of the 33 graded better) is left to the self-assessment page
    assert "23 of the 33" not in " ".join(front.cannot_tell) and "23 of 80" in front.bottom_line
