"""The one gate in: :func:`load_audit` reads every resource of an audit package, checks it, and returns :class:`AuditData`.

An audit package (``--raw``, by default ``data/raw``, Gwent 2019) holds ``audit.json`` (what the
audit is, its grade scale), ``figures.csv`` (one published figure a row) and ``datapackage.json``
(checksums and schemas); optionally Gwent's further resources (practice-area labels, themes,
recommendations and the press-coverage review; other audits' packages, for the national panel, sit in its ``national/`` folder and are read by :mod:`analysis.data.panel`). Nothing else in the project
reads the package. Stages take the validated :class:`AuditData`, never a path, so no figure can
reach a processed file without passing every check: checksums, schemas, the figures' own
arithmetic (:mod:`analysis.data.audit_package`) and each extension's checks
(:mod:`analysis.extras`).
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis import extras
from analysis.data import paths as _paths
from analysis.data.audit_data import AuditData, derived_areas
from analysis.data.audit_package import (
    build_figure_set,
    parse_audit_json,
    parse_figures,
)
from analysis.data.case_file import known_table, read_cases
from analysis.data.errors import AuditDataError
from analysis.data.package import (
    _decode_text,
    check_foreign_keys,
    check_schema,
    load_descriptor,
    read_resource,
    resource_bytes,
    resource_descriptor,
)
from analysis.data.paths import display_path

#: The resources every audit package has.
REQUIRED: tuple[str, ...] = ("audit", "figures")

#: Further resources a package may have (Gwent's package has them all): the case-level file, then every extension's
#: resources (:data:`analysis.extras.RESOURCES`); no others are allowed.
OPTIONAL: tuple[str, ...] = ("cases", *extras.RESOURCES)

#: Every resource a package may describe.
ALLOWED: tuple[str, ...] = REQUIRED + OPTIONAL

#: Every resource Gwent's package describes (the default package: everything but case-level grades, which no report publishes).
RESOURCES: tuple[str, ...] = tuple(name for name in ALLOWED if name != "cases")
#: What each further resource cannot be read without (the tables it refers to or is checked against).
REQUIRES: dict[str, tuple[str, ...]] = extras.REQUIRES


def _check_figures_schema(descriptor: dict[str, Any], shown: str) -> None:
    res = next(r for r in descriptor["resources"] if r["name"] == "figures")
    if res.get("path") != "figures.csv":
        raise AuditDataError(
            shown,
            "resource 'figures' differs from the project's figures.csv schema",
            expected="path figures.csv and the schema `python -m analysis hashes --update` writes (analysis.data.audit_package.FIGURES_SCHEMA)",
            found="path " + repr(res.get("path")),
        )
    check_schema(res, shown)  # the first difference, naming the field


def load_audit(raw: str | Path | None = None) -> AuditData:
    """Read every resource of the audit package in ``raw_dir`` and validate them all; return :class:`AuditData`.

    Order of checks: the descriptor (``raw_dir/datapackage.json``, no fallback) describes
    ``audit`` and ``figures`` and no resource outside :data:`ALLOWED`; each file matches its
    recorded sha256 and size; ``audit.json`` has every field it needs; ``figures.csv`` meets its
    schema and every row is a well-formed figure; the figures can all hold together
    (:func:`analysis.data.audit_package.build_figure_set`); the further tables meet their schemas
    and foreign keys; each extension (:mod:`analysis.extras`, in the order of
    :data:`analysis.extras.EXTENSIONS`) types its tables, then, on the validated audit, checks the
    rules that tie them to the figures and to each other. Raises
    :class:`analysis.data.errors.AuditDataError` on the first problem. With no ``raw``, the
    package is :func:`analysis.data.paths.raw_dir` (``data/raw`` unless ``$ANALYSIS_RAW`` points
    elsewhere).
    """
    raw_dir = Path(raw) if raw is not None else _paths.raw_dir()
    descriptor = load_descriptor(raw_dir)
    shown_dp = display_path(raw_dir / "datapackage.json")
    described = [r["name"] for r in descriptor["resources"]]
    missing = [n for n in REQUIRED if n not in described]
    extra = [n for n in described if n not in ALLOWED]
    if missing or extra:
        raise AuditDataError(
            shown_dp,
            "the data package does not describe an audit package",
            expected="resources audit and figures, optionally " + ", ".join(OPTIONAL),
            found=("missing " + ", ".join(missing) if missing else "")
            + ("; " if missing and extra else "")
            + ("unexpected " + ", ".join(extra) if extra else ""),
        )
    for name in described:
        lacking = [n for n in REQUIRES.get(name, ()) if n not in described and n != name]
        if lacking:
            raise AuditDataError(
                shown_dp,
                f"resource '{name}' needs '{lacking[0]}', which the data package does not describe",
                expected=f"{name} together with " + ", ".join(n for n in REQUIRES[name] if n != name),
                found="missing " + ", ".join(lacking),
            )
    described_paths = {r["path"] for r in descriptor["resources"]}
    loose = sorted(
        p.name
        for p in raw_dir.iterdir()
        if p.suffix in (".csv", ".json") and p.name != "datapackage.json" and p.name not in described_paths
    )
    if loose:
        raise AuditDataError(
            display_path(raw_dir / loose[0]),
            "file in the package folder is not described in datapackage.json",
            expected="every .csv and .json file described (add it to the descriptor, or move it out of the folder)",
            found=", ".join(loose),
        )
    files = {r["name"]: display_path(raw_dir / r["path"]) for r in descriptor["resources"]}
    audit_res = next(r for r in descriptor["resources"] if r["name"] == "audit")
    if audit_res.get("path") != "audit.json":
        raise AuditDataError(shown_dp, "resource 'audit' must be audit.json", expected="path audit.json", found=repr(audit_res.get("path")))
    data, shown = resource_bytes(raw_dir, audit_res)
    meta = parse_audit_json(_decode_text(data, shown), shown)
    _check_figures_schema(descriptor, shown_dp)
    figures = read_resource(raw_dir, "figures", descriptor)
    parsed = parse_figures(figures, meta, files["figures"])
    figure_set = build_figure_set(parsed, meta, files["figures"])
    cases = None
    if "cases" in described:
        cases_res = resource_descriptor(descriptor, "cases", shown_dp)
        check_schema(cases_res, shown_dp)
        cases = read_cases(*resource_bytes(raw_dir, cases_res))
        known = known_table(cases, meta.grades, figure_set, files["cases"])
        figure_set = build_figure_set(parsed, meta, files["figures"], known=known)
        if not figure_set.system.feasible():
            raise AuditDataError(
                files["cases"],
                "the case-level grades do not fit the published figures",
                expected=f"a table whose totals meet every figure of {files['figures']}",
                found="force's totals "
                + "/".join(str(int(v)) for v in known.sum(axis=1))
                + ", inspectors' totals "
                + "/".join(str(int(v)) for v in known.sum(axis=0)),
            )

    present = [n for n in OPTIONAL if n in described and n != "cases"]  # the case-level file is read above, once
    raw = {name: read_resource(raw_dir, name, descriptor) for name in present}
    check_foreign_keys(raw, descriptor, files)
    areas = raw["practice_areas"] if "practice_areas" in raw else derived_areas(figure_set)
    shaped: dict[str, Any] = {}
    for ext in extras.EXTENSIONS:
        own = {name: raw[name] for name in ext.resources if name in raw}
        if own:
            shaped.update(ext.shape(own, files, areas))
    data = AuditData(meta=meta, figures=figure_set, cases=cases, extras=MappingProxyType(shaped), descriptor=descriptor, files=files)
    for ext in extras.EXTENSIONS:
        ext.check(data)
    return data
