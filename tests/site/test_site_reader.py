"""analysis.site: the pages' Python checks the audit package once per process, and again only when the package changed."""

from __future__ import annotations

import os

import analysis.data.load as load
from analysis import site


def test_the_package_is_checked_once_however_many_functions_ask(raw_copy, monkeypatch):
    calls = []
    real = load.load_audit
    monkeypatch.setattr(load, "load_audit", lambda *a, **k: calls.append(a) or real(*a, **k))
    site._audit.cache_clear()
    first = site.audit(raw_copy)
    assert site.audit(raw_copy) is first and site.random_force_selected(raw_copy) is first.meta.said_random("force_selected")
    assert len(calls) == 1
    # an edited package is loaded and checked again (here only its time stamp changes: the bytes still pass the checks)
    path = raw_copy / "audit.json"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert site.audit(raw_copy) is not first
    assert len(calls) == 2
