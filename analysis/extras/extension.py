"""What an extension is: the further resources of a package it reads, what each needs beside it, how it types them, and its checks.

The core (:func:`analysis.data.load.load_audit`) reads every further resource strictly against
its schema (``analysis/data/table_schemas/<resource>.json``) and checks the data package's
foreign keys; then each extension present shapes its tables (:attr:`Extension.shape`) and,
once the validated audit exists, checks the rules that tie them to the figures and to each other
(:attr:`Extension.check`). Tables built from an extension live in its section
(:mod:`analysis.sections`), and sentences in :mod:`analysis.narrative`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.data.audit_data import AuditData

#: ``shape(tables, files, areas)``: the extension's tables as read (by resource name), the file names shown in messages,
#: and the package's practice areas; returns its resources typed for the sections.
Shape = Callable[[Mapping[str, pd.DataFrame], Mapping[str, str], pd.DataFrame], dict[str, Any]]


def _as_read(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], areas: pd.DataFrame) -> dict[str, Any]:
    return dict(tables)


def _nothing(data: AuditData) -> None:
    return None


@dataclass(frozen=True)
class Extension:
    """One of a package's optional parts: ``resources`` it reads (in reading order), ``requires`` (what each cannot be read without), ``shape`` and ``check``."""

    name: str
    resources: tuple[str, ...]
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shape: Shape = _as_read
    check: Callable[[AuditData], None] = _nothing
