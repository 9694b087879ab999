"""The analysis's choices live in one module: no other module types a confidence level into a sentence or a table note."""

from __future__ import annotations

import io
import re
import tokenize

from analysis import choices
from analysis.data.paths import PROJ_ROOT
from analysis.narrative.style import interval_text, level_text
from analysis.stats import funnel, pair_bounds

#: Modules allowed to type a level (none: every level in text is computed from analysis/choices.py);
#: a module may be listed here only while its sentences move to analysis/narrative/
NOT_YET: set[str] = set()

#: A level typed as text: "95%" (or "99.8%") inside a string that is not a docstring.
TYPED_LEVEL = re.compile(r"\b(?:95|99\.8)%")


def typed_levels(path) -> list[int]:
    """Lines of ``path`` where a string literal (not a triple-quoted docstring) types a confidence level."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if tok.type == tokenize.STRING and not re.match(r"[rRbBuUfF]*('''|\"\"\")", tok.string) and TYPED_LEVEL.search(tok.string):
            found.append(tok.start[0])
    return found


def test_no_module_types_a_confidence_level_into_its_text():
    typed = {}
    for path in sorted((PROJ_ROOT / "analysis").rglob("*.py")):
        name = path.relative_to(PROJ_ROOT).as_posix()
        if name not in NOT_YET and typed_levels(path):
            typed[name] = typed_levels(path)
    assert typed == {}


def test_the_scan_finds_a_typed_level(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""A 95% docstring is documentation."""\nX = "a 95% interval"\nY = f"{1} 99.8% limits"\n')
    assert typed_levels(module) == [2, 3]


def test_a_level_in_words_is_computed_from_the_choice():
    assert level_text() == level_text(choices.CONFIDENCE) == "95%"
    assert level_text(0.998) == "99.8%" and level_text(0.9) == "90%"
    assert interval_text(0.17, 0.48) == "95% interval 17% to 48%"
    assert interval_text(0.17, 0.48, 0.9) == "90% interval 17% to 48%"


def test_modules_bind_their_names_to_the_choices():
    assert funnel.CONFIDENCE_LEVELS == choices.FUNNEL_LEVELS and funnel.CONFIDENCE_LEVELS[0] == choices.CONFIDENCE
    assert funnel.WINSOR_LEVEL == choices.WINSOR_LEVEL
    assert pair_bounds.LISTING_LIMIT == choices.LISTING_LIMIT and pair_bounds.MAX_PAIRS == choices.MAX_PAIRS
