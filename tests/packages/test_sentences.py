"""Every generated sentence is a claim: built for Gwent, for each fixture package and with every verdict word's inputs moved across its thresholds, none may hold a double negative, a confidence level the code does not compute, or a number that differs between pages for the same quantity."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis import site
from analysis.data.errors import AuditDataError
from analysis.data.paths import PROJ_ROOT as PROJECT_ROOT
from analysis.narrative import areas, national, self_assessment, style
from analysis.stats import funnel

PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"
PAGES = ("index.qmd", "methods.qmd", "glossary.qmd")
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))

# --------------------------------------------------------------------------- the checks

#: "no area is not shown", "No area's share is not shown", "not ... no <noun>" within a clause (a few words apart).
DOUBLE_NEGATIVES = (
    re.compile(r"\bno\b(?:\s+[\w'’]+){0,3}?\s+(?:is|are|was|were|does|do|did|has|have)\s+not\b", re.I),
    re.compile(r"\bnot\b(?:\s+[\w'’]+){0,2}?\s+no\s+(?!longer|more than|fewer than|less than)[\w'’]+", re.I),
    re.compile(r"\bnone\b(?:\s+[\w'’]+){0,3}?\s+(?:is|are|was|were)\s+not\b", re.I),
)

#: A stated confidence level: "95% interval", "99.8% limits", "at 99.375% confidence", "95% Wilson interval".
LEVEL = re.compile(r"(\d+(?:\.\d+)?)%\s+(?:(?:[\w-]+\s+){0,3}?)(?:interval|intervals|limits?|confidence)\b")

#: Bonferroni levels must be 1 - 0.05/k for the k they name.
BONFERRONI = re.compile(r"(\d+(?:\.\d+)?)% confidence \(Bonferroni's adjustment over (\d+) areas")


def allowed_levels() -> set[str]:
    """Every confidence level the code computes, as printed: 95%, the funnels' levels, and 1 - 0.05/k for a family of k."""
    levels = {100 * c for c in funnel.CONFIDENCE_LEVELS} | {95.0}
    levels |= {100 * (1 - 0.05 / k) for k in range(2, 41)}
    return {f"{v:.6g}" for v in levels}


def problems(text: str) -> list[str]:
    """What is wrong with a piece of generated text, each as a short message (empty when nothing is)."""
    out = []
    for pattern in DOUBLE_NEGATIVES:
        out += [f"double negative: {m.group(0)!r}" for m in pattern.finditer(text)]
    if re.search(r"\bnan\b|\bNaN\b|(?<=[a-z,;:(] )None\b", text):  # "None of them" opening a sentence is English
        out.append("an undefined value printed as nan/None")
    allowed = allowed_levels()
    for m in LEVEL.finditer(text):
        if f"{float(m.group(1)):.6g}" not in allowed:
            out.append(f"a confidence level no computation uses: {m.group(0)!r}")
    for m in BONFERRONI.finditer(text):
        if f"{float(m.group(1)):.6g}" != f"{100 * (1 - 0.05 / int(m.group(2))):.6g}":
            out.append(f"a Bonferroni level that is not 1 - 0.05/{m.group(2)}: {m.group(0)!r}")
    return out


def test_the_checks_catch_the_sentences_the_issue_found():
    assert problems("No area's share is not shown to differ from the rest once the number of comparisons is allowed for.")
    assert problems("Allowing for the 8 comparisons, no area is not shown to differ from the rest.")
    assert problems("an interval at 99% confidence (Bonferroni's adjustment over 8 areas)")
    assert problems("the 97% interval runs from 2 to 3")
    assert not problems("an interval at 99.375% confidence (Bonferroni's adjustment over 8 areas)")
    assert not problems("the figures fit no difference as well as a large one, so they do not show that there is no difference.")
    assert not problems("No area is shown to differ from the rest; the 95% limits and the 99.8% limits. None of them is below 0.05.")
    assert problems("the smallest p-value is nan") and problems("the kappa at the kinder pairing is None")


# --------------------------------------------------------------------------- the sentences


def notebook_texts() -> dict[str, str]:
    """The markdown a notebook shows: its markdown cells and every text/markdown output, as committed."""
    out = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        parts = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                parts.append(cell.source)
            for o in cell.get("outputs", []):
                parts.append(o.get("data", {}).get("text/markdown", ""))
        out[path.name] = "\n".join(parts)
    return out


def page_text(name: str) -> str:
    """A ``.qmd`` page's prose with its inline ``{python}`` expressions evaluated (its first code chunk run to define them)."""
    source = (PROJECT_ROOT / name).read_text(encoding="utf-8")
    chunk = re.search(r"```\{python\}\n(.*?)\n```", source, re.S)
    namespace: dict = {}
    if chunk:
        exec(compile(chunk.group(1), name, "exec"), namespace)  # the page's own set-up, as Quarto runs it
    prose = re.sub(r"```\{python\}.*?```", "", source, flags=re.S)
    return re.sub(r"`\{python\} ([^`]+)`", lambda m: str(eval(m.group(1), namespace)), prose)


def site_texts(processed_dir: Path | None = None) -> dict[str, str]:
    """Every headline and the front page's sentences the site builds from a processed set (those the set supports)."""
    out = {}
    for name, make in (
        ("headline_self_assessment", site.headline_self_assessment),
        ("headline_overall", site.headline_overall),
        ("headline_areas", site.headline_areas),
        ("headline_samples", site.headline_samples),
    ):
        try:
            out[name] = make(processed_dir).text
        except (AuditDataError, KeyError, ValueError):
            continue  # a table this audit's figures do not support
    try:
        front = site.front_page(processed_dir)
        out["front_page"] = " ".join([front.bottom_line, front.figure_caption, *front.meaning, *front.cannot_tell, front.national])
    except (AuditDataError, KeyError, ValueError):
        pass
    return out


@pytest.fixture(scope="module")
def gwent_texts() -> dict[str, str]:
    return {**notebook_texts(), **{p: page_text(p) for p in PAGES}, **site_texts()}


def test_gwent_sentences_hold_no_double_negative_no_stray_level_and_no_nan(gwent_texts):
    found = {name: problems(text) for name, text in gwent_texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


#: Quantities that several pages state, each a pattern whose groups are its printed value.
SAME_QUANTITY = {
    "smallest adjusted p-value of the areas": re.compile(
        r"smallest adjusted p-value(?: of any area)? is (?:p = )?([0-9.]+\d)|smallest adjusted p-value ([0-9.]+\d)"
    ),
    "good gap interval": re.compile(r"lies between (\d+) and (\d+) percentage points, with 95% confidence"),
    "Bonferroni level": re.compile(r"(\d+(?:\.\d+)?)% confidence \(Bonferroni"),
}


def test_a_quantity_stated_on_several_pages_has_one_value(gwent_texts):
    for quantity, pattern in SAME_QUANTITY.items():
        seen = {}
        for name, text in gwent_texts.items():
            for m in pattern.finditer(text):
                seen.setdefault(tuple(g for g in m.groups() if g is not None), set()).add(name)
        assert len(seen) <= 1, (quantity, seen)
    both = [name for name, text in gwent_texts.items() if SAME_QUANTITY["smallest adjusted p-value of the areas"].search(text)]
    assert len(both) >= 2  # the home page and the practice-areas notebook both state it


def section_texts(data) -> dict[str, str]:
    """The sentences the section modules build for an audit package, from its tables in memory (as the notebooks show them)."""
    from analysis.pipeline import build_all

    tables, absent = build_all(data)
    out = {f"why {name}": reason for name, (_, reason) in absent.items()}
    grades = tuple(data.grades)
    if "identified.csv" in tables:
        identified = tables["identified.csv"]
        n = int(data.size("force_selected"))
        out["identified facts"] = " ".join(self_assessment.identified_facts(identified, n, grades))
        if "agreement_bounds.csv" in tables:
            bounds = tables["agreement_bounds.csv"]
            out["plain reading"] = " ".join(self_assessment.plain_reading(bounds, identified, n, grades))
            out["verdicts"] = " ".join(bounds["verdict"].astype(str))
    if "area_summary.csv" in tables:
        labels = data.practice_areas.set_index("practice_area")["label"].to_dict()
        summary = tables["area_summary.csv"]
        out["areas headline"] = areas.headline(summary, labels, grades[-1])
        out["areas reading"] = areas.multiplicity_reading(summary, labels, grades[-1], tables.get("area_ranks.csv"))
        if "area_adjusted.csv" in tables:
            out["sample mix"] = " ".join(areas.mix_reading(tables["area_adjusted.csv"], summary, labels, grades[-1]))
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in PACKAGES.iterdir() if p.is_dir()))
def test_each_fixture_package_builds_sentences_without_a_double_negative(name):
    from analysis.data.load import load_audit

    try:
        data = load_audit(PACKAGES / name)
    except AuditDataError:
        pytest.skip(f"{name}: the package is refused by design")
    texts = section_texts(data)
    assert texts  # every package that loads says something, if only why a table is left out
    found = {k: problems(v) for k, v in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_gwent_section_sentences_hold_no_double_negative():
    from analysis.data.load import load_audit

    texts = section_texts(load_audit())
    assert {"identified facts", "plain reading", "areas headline", "areas reading", "sample mix"} <= set(texts)
    found = {k: problems(v) for k, v in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


# --------------------------------------------------------------------------- every verdict word on both sides of its threshold


def _around(threshold: float) -> tuple[float, float]:
    return threshold - 1e-9, threshold + 1e-9


def verdict_sentences() -> list[str]:
    """The words of :mod:`analysis.narrative.style`, each with its inputs just below and just above every threshold."""
    out = []
    for low in (*_around(0), 0.3):
        for high in (-0.1, 0.4):
            for share in _around(style.FAR_MORE):
                if low <= high:
                    out += [style.kindness(low, high, share), style.generosity(low, high, share)]
    for p in (*_around(style.ALPHA), 0.5):
        out += [style.shown_to_differ(p), style.unusual(p), style.spread_beyond_chance(p)]
    for p in (*_around(0.5), *_around(style.PROBABLY), *_around(style.ALMOST_CERTAINLY)):
        out.append(style.how_certain(p))
    out += [style.restates(k) or "" for k in (None, *_around(style.LOW_KAPPA))]
    out += [style.areas_shown(names) for names in ([], ["A"], ["A", "B"], ["A", "B", "C"])]
    for crude in (*_around(0), 0.2):
        for low, high in ((-0.1, 0.1), (*_around(0),), (1e-9, 0.2), (np.nan, np.nan)):
            out.append(style.mix_verdict(crude, low, high))
    out += [style.counted(k, "area") for k in (0, 1, 2, 13)] + [style.more_or_fewer(a, 1, "cases") for a in (0, 1, 2)]
    return out


def test_every_verdict_word_on_both_sides_of_its_thresholds_reads_as_one_claim():
    sentences = verdict_sentences()
    assert len(set(sentences)) > 20
    found = [(s, problems(s)) for s in sentences if problems(s)]
    assert found == []


def _summary(holm_inadequate, holm_good) -> pd.DataFrame:
    k = len(holm_inadequate)
    frame = pd.DataFrame(
        {
            "area": [f"a{i}" for i in range(k)],
            "n": [10] * k,
            "good": [3] * k,
            "inadequate": list(range(k, 0, -1)),
            "share_good": [0.3] * k,
            "share_inadequate": [i / 10 for i in range(k, 0, -1)],
            "wilson_low_inadequate": [0.0] * k,
            "wilson_high_inadequate": [0.5] * k,
            "vs_rest_p_inadequate": holm_inadequate,
            "vs_rest_p_holm_inadequate": holm_inadequate,
            "vs_rest_p_good": holm_good,
            "vs_rest_p_holm_good": holm_good,
        }
    )
    return frame


def test_area_sentences_across_the_significance_threshold_and_every_certainty_threshold():
    labels = {f"a{i}": f"Area {i}" for i in range(3)}
    texts = []
    for p in (*_around(style.ALPHA), 0.9):
        for q in (*_around(style.ALPHA), 0.9):
            summary = _summary([p, 0.9, 0.9], [0.9, q, 0.9])
            texts.append(areas.headline(summary, labels, "inadequate"))
            for lowest in (*_around(0.5), *_around(style.PROBABLY), *_around(style.ALMOST_CERTAINLY)):
                ranks = pd.DataFrame(
                    {
                        "area": ["a0", "a1", "a2"],
                        "p_weakest": [0.97, 0.02, 0.01],
                        "p_weakest_low": [lowest, 0.0, 0.0],
                        "p_weakest_high": [0.99, 0.1, 0.1],
                        "rank_low": [1, 1, 2],
                        "rank_high": [2, 3, 3],
                    }
                )
                texts.append(areas.multiplicity_reading(summary, labels, "inadequate", ranks))
    adjusted = pd.DataFrame(
        {
            "area": ["a0", "a1", "a2"],
            "quantity": ["standardised_excess_inadequate"] * 3,
            "low": [0.05, -0.1, -0.3],
            "high": [0.3, 0.2, -0.1],
        }
    )
    texts += areas.mix_reading(adjusted, _summary([0.5] * 3, [0.5] * 3), labels, "inadequate")
    assert any("is shown to differ" in t for t in texts) and any("no area is shown to differ" in t for t in texts)
    assert any("almost certainly the weakest area" in t for t in texts) and any("though more likely than not another" in t for t in texts)
    found = [(t, problems(t)) for t in texts if problems(t)]
    assert found == []


def test_funnel_and_self_assessment_sentences_across_their_thresholds():
    dispersion = pd.read_csv(PROJECT_ROOT / "data" / "processed" / "funnel_dispersion.csv")
    positions = pd.read_csv(PROJECT_ROOT / "data" / "processed" / "funnel_positions.csv")
    identified = pd.read_csv(PROJECT_ROOT / "data" / "processed" / "identified.csv")
    texts = []
    for p in (*_around(style.ALPHA), 0.5):
        changed = dispersion.assign(p_unwinsorised=p)
        texts += [national.dispersion_text(changed, positions, m) for m in national.FUNNEL_MEASURES]
    texts.append(national.chance_outside_text(positions))
    for width in (0.01, 10.0):  # either interval the narrower
        rows = identified.copy()
        rows.loc[rows["quantity"].eq("good_gap_newcombe"), "ci_high"] += width
        texts += self_assessment.identified_facts(rows, 33, ("good", "requires improvement", "inadequate"))
    assert any("spread more than chance" in t for t in texts) and any("no more spread than chance" in t for t in texts)
    assert any("Newcombe" in t for t in texts) and any("Imbens and Manski" in t for t in texts)
    found = [(t, problems(t)) for t in texts if problems(t)]
    assert found == []
