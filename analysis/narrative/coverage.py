"""Sentences on the press coverage: how the checked claims came out, and the counts behind the method.

Published tables in (``coverage_claims_checked.csv``; the package's review tables ``coverage_lines.csv``
and ``coverage_number_mentions.csv`` for the method note), sentences out.
"""

from __future__ import annotations

import pandas as pd

from analysis.narrative.style import as_text, join_words
from analysis.sections.coverage import (
    AT_ODDS,
    BASIS_COMPUTED,
    CONTRADICTS,
    ELSEWHERE,
    MATCHES,
    MATCHES_ROUNDED,
    NOT_STATED,
    VERDICTS,
    _blank,
    verdict_counts,
)

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
