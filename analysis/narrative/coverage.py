"""Sentences on the press coverage: how the checked claims came out, and the counts behind the method.

Published tables in (``coverage_claims_checked.csv``; the package's review tables ``coverage_lines.csv``
and ``coverage_number_mentions.csv`` for the method note), sentences out. The descriptions of the reference
figures the claims are checked against (and the deadlines phrased as the report phrases them) are built here
too, from plain values, and called by :mod:`analysis.sections.coverage`; so this module imports no section.
"""

from __future__ import annotations

import pandas as pd

from analysis.extras.coverage import (
    AT_ODDS,
    BASIS_COMPUTED,
    CONTRADICTS,
    ELSEWHERE,
    MATCHES,
    MATCHES_ROUNDED,
    NOT_STATED,
    VERDICTS,
    verdict_counts,
)
from analysis.extras.coverage import blank as _blank
from analysis.narrative.style import as_text, join_words, noun, number_word

#: How each verdict reads in a sentence: (singular, plural).
_VERDICT_VERBS: dict[str, tuple[str, str]] = {
    MATCHES: ("matches the report", "match the report"),
    MATCHES_ROUNDED: ("matches it after rounding", "match it after rounding"),
    NOT_STATED: ("is not stated in it", "are not stated in it"),
    ELSEWHERE: ("refers to a different document or a later inspection", "refer to a different document or a later inspection"),
    AT_ODDS: ("is at odds with the report", "are at odds with the report"),
    CONTRADICTS: ("contradicts it", "contradict it"),
}


#: Claim types as plural nouns for prose.
TYPE_NOUNS: dict[str, str] = {
    "graded cases": "counts of graded cases",
    "deadline": "deadlines",
    "date": "dates",
    "legal time limit": "legal time limits",
    "legal requirement": "legal requirements",
    "facilities": "numbers of facilities",
    "officers trained": "numbers of officers trained",
    "attribution": "attributions",
    "other number": "other numbers",
    "other fact": "other facts",
}


def _verdict_phrase(verdict: str, k: int) -> str:
    singular, plural = _VERDICT_VERBS[verdict]
    return f"{k} {singular if k == 1 else plural}"


def _in_sentence(label: str) -> str:
    """A text label inside a sentence (as text, :func:`analysis.narrative.style.as_text`): lower-case first letter unless it starts an acronym (``HMICFRS``)."""
    return as_text(label if label[:2].isupper() else label[0].lower() + label[1:])


def verdict_summary(checked: pd.DataFrame) -> str:
    """One Markdown paragraph summarising the verdicts, built only from the checked table.

    Counts claims per text and per verdict, how many verdicts were computed from the data and how
    they came out, which texts credit the inspectorate with findings the report does not state,
    which make claims the report's own findings cut against, and where claims about other
    documents come from. Nothing in it is typed.
    """
    n = len(checked)
    per_text = checked.groupby("text", sort=False).size()
    counts = verdict_counts(checked)
    text_parts = join_words([f"{k} in the {_in_sentence(t)}" for t, k in per_text.items()])
    sentences = [f"The four texts make {n} checkable claims ({text_parts})."]
    present = [_verdict_phrase(v, int(counts[v])) for v in VERDICTS if counts[v]]
    sentences.append(f"Of these, {join_words(present)}.")
    missing = [_VERDICT_VERBS[v][1] for v in VERDICTS if not counts[v]]
    if missing:
        sentences.append(f"None {join_words(missing, 'or')}.")
    computed = checked[checked["verdict_basis"] == BASIS_COMPUTED]
    if len(computed):
        comp_counts = verdict_counts(computed)
        kinds = join_words([TYPE_NOUNS.get(t, t) for t in sorted(set(computed["claim_type"]))])
        if (comp_counts == len(computed)).any():
            outcome = f"all {len(computed)} {_VERDICT_VERBS[comp_counts.idxmax()][1]}"
        else:
            outcome = join_words([_verdict_phrase(v, int(comp_counts[v])) for v in VERDICTS if comp_counts[v]])
        sentences.append(
            f"The {len(computed)} claims whose reference figure is in the audit data ({kinds}) were checked by code "
            f"against figures computed from it: {outcome}."
        )
    unsupported = checked[(checked["verdict"] == NOT_STATED) & (checked["claim_type"] == "attribution")]
    if len(unsupported):
        where = join_words([_in_sentence(t) for t in dict.fromkeys(unsupported["text"])])
        plural = len(unsupported) != 1
        sentences.append(
            f"The report gives no support to {len(unsupported)} claim{'s' if plural else ''} that credit{'' if plural else 's'} "
            f"the inspectorate or its report with a finding, in the {where}."
        )
    at_odds = checked[checked["verdict"] == AT_ODDS]
    if len(at_odds):
        where = join_words([_in_sentence(t) for t in dict.fromkeys(at_odds["text"])])
        plural = len(at_odds) != 1
        sentences.append(
            f"The report gives some support to {len(at_odds)} claim{'s' if plural else ''} in the {where}, "
            f"but its own findings on the point cut against {'them' if plural else 'it'}."
        )
    later = checked[checked["verdict"] == ELSEWHERE]
    if len(later):
        by_text = later.groupby("text", sort=False).size()
        sentences.append(
            "Claims about a different document or a later inspection come from the "
            + join_words([f"{_in_sentence(t)} ({k})" for t, k in by_text.items()])
            + "."
        )
    return " ".join(sentences)


def review_note(lines: pd.DataFrame, mentions: pd.DataFrame) -> str:
    """One Markdown paragraph with the counts behind the method: lines reviewed, tokens found and how each was accounted for.

    ``lines`` and ``mentions`` are the package's review tables (``coverage_lines.csv``, ``coverage_number_mentions.csv``,
    as from :func:`analysis.sections.coverage.load_coverage`).
    """
    with_claims = int(lines["claim_ids"].map(lambda v: not _blank(v)).sum())
    reasons = lines["exclusion"].dropna().value_counts()
    tokens_claimed = int(mentions["claim_id"].map(lambda v: not _blank(v)).sum())
    token_reasons = mentions["reason"].dropna().value_counts()
    return (
        f"The sentence-by-sentence pass covered {len(lines)} non-blank lines: {with_claims} hold at least one claim and "
        f"{len(lines) - with_claims} hold none ({'; '.join(f'{k} {as_text(r)}' for r, k in reasons.items())}). "
        f"The pattern pass found {len(mentions)} numbers, number words and date words: {tokens_claimed} belong to a claim and "
        f"{len(mentions) - tokens_claimed} do not ({'; '.join(f'{k} {as_text(r)}' for r, k in token_reasons.items())})."
    )


# --------------------------------------------------------------------------- the reference figures' descriptions (coverage_claims_checked.csv)


def within(n: int, unit: str) -> str:
    """A time limit as the report and the recommendations phrase it: ``within(6, "month")`` is ``"within six months"``.

    Numbers up to twelve are spelled out, larger ones written in digits; the unit is made plural
    unless ``n`` is 1.
    """
    return f"within {number_word(n)} {noun(n, unit)}"


def _sample_label(sample: str) -> str:
    return sample.replace("_", "-")


def _who(assessor: str) -> str:
    return "HMICFRS" if assessor == "hmicfrs" else "the force"


def sample_cases_figure(sample: str) -> str:
    """The description of the figure ``cases_<sample>``: ``"Cases in the force-selected sample"``."""
    return f"Cases in the {_sample_label(sample)} sample"


def sample_grade_figure(sample: str, assessor: str, grade: str) -> str:
    """The description of the count of a sample's cases that ``assessor`` (``hmicfrs`` or the force) graded ``grade``."""
    return f"Cases in the {_sample_label(sample)} sample that {_who(assessor)} graded {grade}"


def sample_share_figure(sample: str, assessor: str, grade: str) -> str:
    """The description of the percentage of a sample that ``assessor`` graded ``grade``."""
    return f"Percentage of the {_sample_label(sample)} sample that {_who(assessor)} graded {grade}"


def all_grade_figure(grade: str) -> str:
    """The description of the count of all cases HMICFRS graded ``grade``."""
    return f"Cases HMICFRS graded {grade}, both samples together"


def all_share_figure(grade: str) -> str:
    """The description of the percentage of all cases HMICFRS graded ``grade``."""
    return f"Percentage of all audited cases HMICFRS graded {grade}"


def area_cases_figure(label: str) -> str:
    """The description of the number of cases audited in the practice area named ``label``."""
    return f"Audited cases in the area '{label}'"


def area_grade_figure(label: str, grade: str) -> str:
    """The description of the count of the area's cases HMICFRS graded ``grade``."""
    return f"Cases in the area '{label}' HMICFRS graded {grade}"


def recommendations_due_figure(deadline: str) -> str:
    """The description of the number of recommendations to be acted on by ``deadline`` (as the report phrases it)."""
    return f"Recommendations to be acted on {deadline}"


def deadline_figure(recommendation_id: str, chapter: str) -> str:
    """The description of one recommendation's deadline."""
    return f"Deadline of recommendation {recommendation_id} ({chapter})"


#: How the report says the force chose its cases (Gwent's own package: its section names Gwent).
CHOSEN_AT_RANDOM = "a random sample from throughout Gwent, chosen under HMICFRS criteria"


def random_cases_figure() -> str:
    """The description of the number of force-selected cases the report says were chosen at random."""
    return f"Force-selected cases the report says were {CHOSEN_AT_RANDOM}"


def random_sample_figure(size: int) -> str:
    """The description of whether the report says all ``size`` force-selected cases were chosen at random."""
    return f"Whether the report says all {size} force-selected cases were {CHOSEN_AT_RANDOM}"


def next_step_subjects(immediate: int, others: int) -> dict[str, str]:
    """What each of the report's next steps is, by figure stem: the force's update on the ``immediate`` recommendations, its action plan for the ``others``, the revisit."""
    return {
        "next_steps_update": f"the force's update on the action taken on the {immediate} {noun(immediate, 'recommendation')} to be acted on immediately",
        "next_steps_action_plan": f"the force's action plan for its other {others} {noun(others, 'recommendation')}",
        "next_steps_revisit": "the inspectorate's revisit to assess how the force is implementing all the recommendations",
    }


def time_allowed_figure(unit: str, subject: str) -> str:
    """The description of the time allowed after publication, in ``unit``s, for a next step."""
    return f"Time allowed after publication, in {unit}s, for {subject}"


def step_deadline_figure(subject: str) -> str:
    """The description of a next step's deadline, phrased as the report phrases it."""
    return f"Deadline, counted from publication, for {subject}"


def report_says(description: str, value: str) -> str:
    """What the data say on a claim checked against a figure, when the claims table does not say it: the figure's description and value."""
    return f"{description}: {value}."
