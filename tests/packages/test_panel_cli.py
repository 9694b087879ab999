"""``python -m analysis panel --packages DIR --out OUT``: the panel of any folder of packages, the same gate in and out."""

from __future__ import annotations

import shutil

import pandas as pd

from analysis.cli import main
from analysis.data.paths import RAW_DIR

NATIONAL = RAW_DIR / "national"
FIXTURES = ("greater-manchester-2014", "dorset-2021", "leicestershire-2017")


def _folder(tmp_path):
    packages = tmp_path / "packages"
    for name in FIXTURES:
        shutil.copytree(NATIONAL / name, packages / name)
    (packages / "README.md").write_text("not a package\n", encoding="utf-8")
    return packages


def test_a_folder_of_three_packages_gives_the_three_panel_tables(tmp_path, capsys):
    packages, out = _folder(tmp_path), tmp_path / "out"
    assert main(["panel", "--packages", str(packages), "--out", str(out)]) == 0
    assert "published" in capsys.readouterr().out
    panel = pd.read_csv(out / "national_panel.csv")
    assert set(panel["audit_id"]) == set(FIXTURES)
    assert set(pd.read_csv(out / "national_pairs.csv")["audit_id"]) == {"greater-manchester-2014"}
    assert len(pd.read_csv(out / "national_changes.csv")) == 0
    assert (out / "datapackage.json").is_file()
    # one inspection on the funnels' scale (Dorset 2021, a range) pins no count: no funnel target, so no funnel table
    assert not list(out.glob("funnel_*.csv"))
    # a second run with nothing changed publishes the same bytes
    assert main(["panel", "--packages", str(packages), "--out", str(out)]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_a_structural_fault_in_one_package_is_one_error_line_naming_package_file_and_row_and_nothing_is_written(tmp_path, capsys):
    packages, out = _folder(tmp_path), tmp_path / "out"
    figures = packages / "greater-manchester-2014" / "figures.csv"
    text = figures.read_text(encoding="utf-8").replace("force_selected,inspectorate,,good,8,", "force_selected,inspectorate,,good,31,")
    figures.write_text(text, encoding="utf-8")
    assert main(["hashes", "--update", "--raw", str(packages / "greater-manchester-2014")]) == 0
    capsys.readouterr()
    assert main(["panel", "--packages", str(packages), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "greater-manchester-2014/figures.csv" in err and "row 2 (line 3)" in err and "count larger than the number of cases" in err
    assert not out.exists()


def test_a_checksum_fault_is_refused_too(tmp_path, capsys):
    packages, out = _folder(tmp_path), tmp_path / "out"
    with open(packages / "dorset-2021" / "figures.csv", "a", encoding="utf-8") as f:
        f.write("all,inspectorate,,good,20,,,,83,again,https://example.org\n")
    assert main(["panel", "--packages", str(packages), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "dorset-2021/figures.csv" in err and "checksum" in err
    assert not out.exists()


def test_a_users_panel_with_funnels_speaks_of_the_force_compared_not_of_gwent(tmp_path, capsys):
    """Every national package without the project's own audit: the funnels are built, and no table's words name Gwent."""
    out = tmp_path / "out"
    assert main(["panel", "--packages", str(NATIONAL), "--out", str(out), "-q"]) == 0
    assert (out / "funnel_limits.csv").is_file() and (out / "funnel_dispersion.csv").is_file()
    words = (out / "datapackage.json").read_text(encoding="utf-8")
    assert "the force compared" in words and "Gwent" not in words
