"""The national panel's gate in: every audit package in a folder, read through the same checks, conflicts kept as readings.

A panel is a folder whose every subfolder is one audit package (``data/raw/national/<id>/``), plus,
for the project's own build, Gwent's package (``data/raw``). Each package passes the same gate in
as ``process --raw`` (:func:`analysis.data.load.load_audit`): a structural fault (a checksum, a
schema, bad JSON, a figure that is not well formed) is a refusal, one ``error:`` line naming the
package's file and row, and nothing of the panel is built.

Figures that contradict each other do not stop the panel. The package joins with every *reading*
of its figures that leaves out one row of each set of rows that cannot hold together (the
smallest conflicting set the gate names, :meth:`analysis.stats.consistent_set.CountSystem.infeasible_core`),
repeated until what is left holds: Reiter's hitting-set tree over the conflicting sets (Reiter,
"A theory of diagnosis from first principles", Artificial Intelligence 32, 1987), keeping the
readings that leave out fewest rows (no reading's left-out rows contain another's). The panel
reports the union of the count ranges over those readings.

One exception: when every row of a conflicting set comes from one source (one document contradicting
itself, such as West Yorkshire 2015's inspectors' grades of 33 cases adding up to 34), no reading
can prefer one of its rows, so the groups of cases those rows describe are *not usable*: their rows
are set aside and the rest of the package is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.audit_package import AuditMeta, FigureSet, build_figure_set, parse_figures
from analysis.data.errors import AuditDataError
from analysis.data.load import AuditData, load_audit
from analysis.data.paths import PROJ_ROOT, display_path

#: The folder of other forces' packages inside a package that has a panel (``data/raw/national``).
NATIONAL_FOLDER = "national"

#: Statuses of a document (and of each of its rows) in the panel.
USED, PARTLY_USED, NOT_USABLE = "used", "partly_used", "not_usable"

#: Most readings explored for one package before the panel gives up on it (a refusal naming it).
MAX_READINGS_EXPLORED = 2_000

#: How a document's title names its kind (checked against the compilation's ``document_type`` in the tests).
DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    (r"quarter \d+ update", "post-inspection quarterly update"),
    (r"post-inspection review", "post-inspection review"),
    (r"\bthematic\b", "thematic aggregate"),
)


#: Grades of the programme's earlier scale that a later scale replaced, with the grade that replaced each and why.
#: HMIC's 2015 thematic report ("In harm's way") graded cases good, adequate or inadequate; the later scale
#: (good, requires improvement, inadequate) put requires improvement in adequate's place, as the middle grade.
SUCCESSOR_GRADES: dict[str, str] = {"adequate": "requires improvement"}


def word_readings(frame: pd.DataFrame, grades: tuple[str, ...]) -> tuple[str, ...]:
    """Sentences for the rows whose wording names a grade of the programme's earlier scale that the document's own scale replaced.

    Such a row is read as the grade that replaced it (:data:`SUCCESSOR_GRADES`): the row's
    ``grades`` column holds the reading, its ``wording`` the source's words, verbatim.
    """
    out = []
    for i, (wording, chosen) in enumerate(zip(frame["wording"].fillna(""), frame["grades"], strict=True), start=1):
        for old, new in SUCCESSOR_GRADES.items():
            if old not in grades and new in grades and re.search(rf"\b{old}\b", str(wording)) and new in str(chosen).split(" or "):
                out.append(
                    f"row {i} prints '{old}', a grade not on this document's scale ({', '.join(grades)}): it is read as '{new}', "
                    f"which replaced {old} as the middle grade of the programme's earlier three-grade scale (good, {old}, inadequate; "
                    f"HMIC's 2015 thematic report), and the row's wording keeps the source's words"
                )
    return tuple(out)


def document_type(title: str) -> str:
    """The kind of document its title names: a post-inspection quarterly update or review, a thematic aggregate, else an inspection."""
    for pattern, kind in DOCUMENT_TYPES:
        if re.search(pattern, title, flags=re.IGNORECASE):
            return kind
    return "inspection"


@dataclass(frozen=True)
class Unusable:
    """A group of cases whose figures come from one source and cannot hold together: set aside, with the reason."""

    group: tuple[str, str, str]
    of: int | None
    reason: str


@dataclass(frozen=True)
class Member:
    """One document of the panel: its header, every reading of its figures, the groups set aside, and its status and reason.

    ``readings`` are figure sets (:class:`~analysis.data.audit_package.FigureSet`), one per reading
    (one when nothing conflicts). ``left_out`` gives, for each reading, the rows of ``figures.csv``
    it leaves out. ``conflicts`` are the sets of rows found not to hold together, each with the
    gate's one-line explanation. ``shares`` are printed percentages of samples of unknown size.
    """

    meta: AuditMeta
    folder: str
    readings: tuple[FigureSet, ...]
    left_out: tuple[tuple[int, ...], ...] = ()
    conflicts: tuple[tuple[tuple[int, ...], str], ...] = ()
    unusable: tuple[Unusable, ...] = ()
    single_source: frozenset = frozenset()
    first_conflict: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    is_project: bool = False
    _ranges: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def document_type(self) -> str:
        return document_type(self.meta.title)

    @property
    def status(self) -> str:
        if not self.conflicts and not self.unusable:
            return USED
        return PARTLY_USED if self.readings and any(r.groups for r in self.readings) else NOT_USABLE

    @property
    def shares(self):
        return self.readings[0].shares if self.readings else ()

    def reason(self) -> str:
        """Why the document is partly used (or not usable), in words; empty when every figure holds together."""
        if not self.conflicts and not self.unusable:
            return "; ".join(self.notes)
        parts = list(self.notes)
        for u in self.unusable:
            parts.append(u.reason)
        between = [c for c in self.conflicts if c[0] not in self.single_source]
        if between:
            first = next((c for c in between if c[0] == self.first_conflict), between[0])
            others = [rows for rows, _ in between if rows != first[0]]
            readings = "; ".join(_rows_words(rows) for rows in self.left_out)
            further = (
                f"; further sets of rows that cannot hold together once those are set aside: {'; '.join(_rows_words(r) for r in others)}"
                if others
                else ""
            )
            parts.append(
                f"sources disagree: {first[1]}{further}; the counts are the union over the {len(self.left_out)} readings that leave out "
                f"one row of each conflicting set ({readings})"
            )
        return ". ".join(parts)

    def ranges(self, group: tuple[str, str, str]) -> tuple[np.ndarray, list[int]] | None:
        """``(k, 2)`` count ranges of ``group``, the union over the readings that have it, and its sizes over them; ``None`` if none has it."""
        found = self.per_reading(group)
        if not found:
            return None
        low = np.min([r[:, 0] for r, _ in found], axis=0)
        high = np.max([r[:, 1] for r, _ in found], axis=0)
        return np.column_stack([low, high]), sorted({of for _, of in found})

    def per_reading(self, group: tuple[str, str, str]) -> list[tuple[np.ndarray, int]]:
        """For each reading that has ``group``: its ``(k, 2)`` count ranges and its size (computed once per member)."""
        if group not in self._ranges:
            self._ranges[group] = [(fs.system.grade_ranges(group), fs.groups[group]) for fs in self.readings if group in fs.groups]
        return self._ranges[group]

    def groups(self) -> list[tuple[str, str, str]]:
        """Every group of cases of any reading or set aside, without duplicates, in first-seen order."""
        seen: dict[tuple, None] = {}
        for fs in self.readings:
            seen.update(dict.fromkeys(fs.groups))
        for u in self.unusable:
            seen.setdefault(u.group, None)
        return list(seen)


def _rows_words(rows: tuple[int, ...]) -> str:
    if not rows:
        return "no row"
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, rows[:-1])) + (" and " if len(rows) > 1 else "") + str(rows[-1])


class _Conflict(Exception):
    """Figures of a package that cannot hold together: the rows (of the whole figures.csv), the gate's words, and its error."""

    def __init__(self, rows: tuple[int, ...], text: str, error: AuditDataError):
        super().__init__(text)
        self.rows, self.text, self.error = rows, text, error


def _attempt(frame: pd.DataFrame, keep: tuple[int, ...], meta: AuditMeta, shown: str) -> FigureSet:
    """The figure set of the rows ``keep`` (1-based rows of ``frame``); raises :class:`_Conflict` naming the rows that cannot hold.

    A row that is not a well-formed figure on its own raises the gate's :class:`AuditDataError`.
    """
    sub = frame.iloc[[r - 1 for r in keep]].reset_index(drop=True)
    try:
        parsed = parse_figures(sub, meta, shown)
    except AuditDataError as err:
        if err.problem.startswith("of differs within one group") and isinstance(err.row, list):
            rows = tuple(sorted(keep[r - 1] for r in err.row))
            first = err.expected.split("(")[-1].rstrip(")")
            text = f"rows {', '.join(map(str, rows))} give the group different numbers of cases ({err.found} against {first})"
            raise _Conflict(rows, text, _renumbered(err, keep)) from None
        raise _renumbered(err, keep) from None
    parsed = tuple(replace(f, row=keep[f.row - 1]) for f in parsed)
    try:
        return build_figure_set(parsed, meta, shown)
    except AuditDataError as err:
        rows = err.row if isinstance(err.row, list) else ([err.row] if isinstance(err.row, int) else [])
        if not rows:
            raise
        text = str(err).split(": ", 1)[1] if ": " in str(err) else str(err)
        raise _Conflict(tuple(sorted(set(rows))), text, err) from None


def _renumbered(err: AuditDataError, keep: tuple[int, ...]) -> AuditDataError:
    """``err`` with its rows (of the subset ``keep``) named as rows of the whole ``figures.csv``."""
    if err.row is None or keep == tuple(range(1, len(keep) + 1)):
        return err
    row = keep[err.row - 1] if isinstance(err.row, int) else [keep[r - 1] for r in err.row]
    return AuditDataError(err.file, err.problem, row=row, column=err.column, expected=err.expected, found=err.found)


def read_member(folder: str | Path, *, data: AuditData | None = None, is_project: bool = False) -> Member:
    """One package as a panel member: loaded by the gate in when its figures hold, else read as its conflicts allow.

    Raises :class:`~analysis.data.errors.AuditDataError` (one line naming the file and row) for a
    structural fault. ``data`` is the package already loaded (the project's own), read as is.
    """
    folder = Path(folder)
    shown_folder = display_path(folder)
    if data is None:
        try:
            data = load_audit(folder)
        except AuditDataError as err:
            return _read_conflicting(folder, err)
    return Member(data.meta, shown_folder, (data.figure_set,), notes=word_readings(data.figures, data.meta.grades), is_project=is_project)


def _read_conflicting(folder: Path, original: AuditDataError) -> Member:
    """A package the gate in refused: a structural fault is raised again; figures that cannot hold together are read as readings."""
    from analysis.data.audit_package import parse_audit_json
    from analysis.data.load import _check_figures_schema
    from analysis.data.package import _decode_text, load_descriptor, read_resource, resource_bytes

    descriptor = load_descriptor(folder)
    audit_res = next((r for r in descriptor["resources"] if r["name"] == "audit"), None)
    if audit_res is None or audit_res.get("path") != "audit.json":
        raise original
    data, shown = resource_bytes(folder, audit_res)
    meta = parse_audit_json(_decode_text(data, shown), shown)
    _check_figures_schema(descriptor, display_path(folder / "datapackage.json"))
    frame = read_resource(folder, "figures", descriptor)
    shown = display_path(folder / "figures.csv")
    sources = [str(s or "") for s in frame["source"].tolist()]
    everything = tuple(range(1, len(frame) + 1))
    try:
        _attempt(frame, everything, meta, shown)
    except _Conflict as c:
        if str(c.error) != str(original):
            raise original from None  # the gate refused the package for something else first (a loose file, another table)
        first_conflict = c.rows
    else:
        raise original  # the figures hold: the refusal was about something else

    readings: dict[frozenset, FigureSet] = {}
    conflicts: dict[tuple[int, ...], str] = {}
    unusable: dict[tuple, Unusable] = {}
    single: set[tuple[int, ...]] = set()
    explored: set[frozenset] = set()
    stack: list[frozenset] = [frozenset()]
    areas = ["" if pd.isna(a) else str(a) for a in frame["area"].tolist()]
    group_of = {i: (frame["sample"].iloc[i - 1], frame["rater"].iloc[i - 1], areas[i - 1]) for i in everything}
    while stack:
        dropped = stack.pop()
        if dropped in explored or any(d <= dropped for d in readings):
            continue
        explored.add(dropped)
        if len(explored) > MAX_READINGS_EXPLORED:
            raise AuditDataError(
                shown, "too many readings of conflicting figures", expected=f"at most {MAX_READINGS_EXPLORED:,}", found="more"
            )
        keep = tuple(i for i in everything if i not in dropped)
        if not keep:
            continue
        try:
            fs = _attempt(frame, keep, meta, shown)
        except _Conflict as c:
            conflicts.setdefault(c.rows, c.text)
            if len({sources[r - 1] for r in c.rows}) == 1:
                single.add(c.rows)
                groups = {group_of[r] for r in c.rows}
                rows_of = frozenset(i for i in everything if group_of[i] in groups)
                for g in groups:
                    of = next(
                        (int(frame["of"].iloc[i - 1]) for i in everything if group_of[i] == g and pd.notna(frame["of"].iloc[i - 1])), None
                    )
                    unusable.setdefault(
                        g,
                        Unusable(
                            g,
                            of,
                            f"{c.text}; one source prints all of these rows, so no reading can prefer one of them: the figures of these cases are not usable",
                        ),
                    )
                stack.append(dropped | rows_of)
            else:
                for r in sorted(c.rows, reverse=True):
                    stack.append(dropped | {r})
            continue
        readings[dropped] = fs
    minimal = sorted((d for d in readings if not any(o < d for o in readings)), key=lambda d: (len(d), sorted(d)))
    # the rows every reading sets aside as unusable are not a choice between readings
    aside = frozenset(i for i in everything if group_of[i] in unusable)
    return Member(
        meta,
        display_path(folder),
        tuple(readings[d] for d in minimal),
        tuple(tuple(sorted(d - aside)) for d in minimal),
        tuple(sorted(conflicts.items())),
        tuple(unusable[g] for g in sorted(unusable)),
        frozenset(single),
        first_conflict,
        word_readings(frame, meta.grades),
    )


@dataclass(frozen=True)
class Panel:
    """Every member of a panel, in the order the tables list them (by publication date, then id)."""

    members: tuple[Member, ...] = field(default_factory=tuple)


def package_folders(folder: str | Path) -> list[Path]:
    """Every subfolder of ``folder`` (each one package), by name; files beside them (a README) are not packages."""
    return sorted((p for p in Path(folder).iterdir() if p.is_dir()), key=lambda p: p.name)


def read_panel(folder: str | Path, project: AuditData | None = None) -> Panel:
    """Every package under ``folder`` as a panel member, plus ``project`` (the package the folder sits in), ordered by date then id.

    Raises :class:`~analysis.data.errors.AuditDataError` at the first structural fault, and when two
    members share an id or a folder holds no package.
    """
    folder = Path(folder)
    members = [read_member(p) for p in package_folders(folder)]
    if project is not None:
        members.append(read_member(folder, data=project, is_project=True))
    if not members:
        raise AuditDataError(
            display_path(folder), "no audit package in the folder", expected="one subfolder per audit package", found="none"
        )
    seen: dict[str, str] = {}
    for m in members:
        if m.id in seen:
            raise AuditDataError(
                m.folder + "/audit.json",
                f"two packages have the id {m.id!r}",
                expected="a different id for each document",
                found=f"also in {seen[m.id]}",
            )
        seen[m.id] = m.folder
        if not m.is_project and Path(m.folder).name != m.id:
            raise AuditDataError(
                m.folder + "/audit.json", "the package's id is not its folder's name", expected=Path(m.folder).name, found=m.id
            )
    return Panel(tuple(sorted(members, key=lambda m: (m.meta.published, m.id))))


def national_folder(data: AuditData) -> Path | None:
    """The folder of other forces' packages beside ``data``'s own files (``<package>/national``), or ``None`` when it has none."""
    shown = Path(data.files["audit"])
    candidates = [shown] if shown.is_absolute() else [PROJ_ROOT / shown, shown]
    for audit_json in candidates:
        folder = audit_json.parent / NATIONAL_FOLDER
        if audit_json.is_file():
            return folder if folder.is_dir() else None
    return None
