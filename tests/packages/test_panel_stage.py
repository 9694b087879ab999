"""process builds the panel for a package with a national/ folder beside its files, and says why not for one without."""

from __future__ import annotations

import shutil

from analysis.data.load import load_audit
from analysis.pipeline import build_all, stage
from analysis.sections import contents
from analysis.sections.panel import NO_PANEL_REASON


def test_a_package_without_a_national_folder_leaves_the_panel_out_with_the_reason_in_contents(raw_copy):
    shutil.rmtree(raw_copy / "national")
    data = load_audit(raw_copy)
    stages = (stage("panel"), stage("national"))
    tables, absent = build_all(data, stages)
    assert tables == {}
    names = {"national_panel.csv", "national_pairs.csv", "national_changes.csv", "funnel_limits.csv", "funnel_dispersion.csv"}
    assert names <= set(absent) and all(reason == NO_PANEL_REASON for _, reason in absent.values())
    listed = contents.contents_table(stages, data, tables, absent)
    assert (listed["published"] == "no").all() and listed["reason"].str.startswith(NO_PANEL_REASON).all()


def test_a_package_with_a_national_folder_of_two_packages_gets_a_panel_of_three(raw_copy):
    national = raw_copy / "national"
    for folder in national.iterdir():
        if folder.is_dir() and folder.name not in ("greater-manchester-2014", "dorset-2021"):
            shutil.rmtree(folder)
    data = load_audit(raw_copy)
    tables, absent = build_all(data, (stage("panel"),))
    assert absent == {}
    assert set(tables["national_panel.csv"]["audit_id"]) == {"greater-manchester-2014", "dorset-2021", "gwent-2019"}
    assert set(tables["national_pairs.csv"]["audit_id"]) == {"greater-manchester-2014", "gwent-2019"}
