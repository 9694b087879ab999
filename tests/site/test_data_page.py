"""The Data page (analysis.data_page): every file listed for download, a folded data dictionary per folder, the licence statement."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis import data_page, site
from analysis.data.errors import AuditDataError
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR
from analysis.display import breakable, code_name


@pytest.fixture(scope="module")
def complete_processed(gwent_published) -> Path:
    """A processed folder with every file the site reads, as ``python -m analysis process`` publishes it (built once per run)."""
    return gwent_published


def test_data_page_links_exist_after_the_build():
    try:
        files = data_page.data_files()
    except AuditDataError as err:
        # Not built yet: the page must then stop with a message naming the missing file.
        assert "data/processed/" in str(err) or "data/raw/" in str(err)
        assert site.missing_inputs(), str(err)
        return
    assert {f.kind for f in files} == {"raw", "processed"}
    for f in files:
        assert (PROJ_ROOT / f.path).is_file(), f.path
    raw = json.loads((RAW_DIR / "datapackage.json").read_text(encoding="utf-8"))
    listed = {f.path for f in files}
    assert {f"data/raw/{r['path']}" for r in raw["resources"]} <= listed


def test_data_files_list_every_file_and_refuse_a_missing_one(complete_processed, tmp_path):
    files = data_page.data_files(processed_dir=complete_processed)
    paths_ = [Path(f.path).name for f in files if f.kind == "processed"]
    assert paths_[0] == "datapackage.json"
    assert {"sample_grades.csv", "cases.csv", "agreement_bounds.csv"} <= set(paths_)
    assert all(f.description and f.description != "Not described in the data package." for f in files)
    shutil.copytree(complete_processed, tmp_path / "q")
    (tmp_path / "q" / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    extra = [f for f in data_page.data_files(processed_dir=tmp_path / "q") if Path(f.path).name == "notes.csv"]
    assert extra[0].description == "Not described in the data package."
    md = data_page.download_table(files, "raw")
    assert "](data/raw/figures.csv)" in md and md.rstrip().endswith("{#tbl-files-raw}")
    shutil.copytree(complete_processed, tmp_path / "p")
    (tmp_path / "p" / "cases.csv").unlink()
    with pytest.raises(AuditDataError, match="cases.csv"):
        data_page.data_files(processed_dir=tmp_path / "p")


def test_data_dictionary_has_a_captioned_table_per_file():
    raw = json.loads((RAW_DIR / "datapackage.json").read_text(encoding="utf-8"))
    md = data_page.data_dictionary("raw")
    labels = re.findall(r"\{#(tbl-dict-raw-[a-z0-9-]+)\}", md)
    assert len(labels) == len(set(labels)) == len(raw["resources"])
    for res in raw["resources"]:
        assert f": Columns of data/raw/{res['path']}" in md
        for field in res.get("schema", {}).get("fields", [{"name": "grades"}]):
            assert f"| {code_name(field['name'])} |" in md
    assert "one of: force\\_<wbr>selected, inspectorate\\_<wbr>selected, all" in md
    with pytest.raises(ValueError):
        data_page.data_dictionary("other")


def test_licence_statement_names_the_licence_and_source():
    text = data_page.licence_statement()
    assert "Open Government Licence v3.0" in text and "hmicfrs.justiceinspectorates.gov.uk" in text and "June 2019" in text


def test_data_dictionary_is_folded_per_file():
    for kind in ("raw", "processed"):
        desc = json.loads(((RAW_DIR if kind == "raw" else PROCESSED_DIR) / "datapackage.json").read_text(encoding="utf-8"))
        md = data_page.data_dictionary(kind)
        blocks = re.findall(r"^<details class=\"data-dictionary-file\">\n<summary>(.*?)</summary>\n(.*?)^</details>$", md, re.M | re.S)
        assert len(blocks) == len(desc["resources"]), kind
        for (summary, inner), res in zip(blocks, desc["resources"], strict=True):
            assert code_name(res["path"]) in summary
            assert f": Columns of data/{kind}/{res['path']}" in inner
        outside = re.sub(r"^<details.*?^</details>$", "", md, flags=re.M | re.S)
        assert not outside.strip(), f"{kind}: dictionary text outside the folded blocks: {outside.strip()[:200]}"
        assert not re.search(r"^#{1,6} ", md, re.M), "no headings inside folded blocks (the contents would link to hidden text)"
    page = (PROJ_ROOT / "data.qmd").read_text(encoding="utf-8")
    assert 'data_page.data_dictionary("raw")' in page and 'data_page.data_dictionary("processed")' in page


def test_long_names_break_only_after_separators():
    assert breakable("national_audits.csv") == "national\\_<wbr>audits.<wbr>csv"
    assert breakable("datapackage.json") == "datapackage.<wbr>json"
    assert breakable("a<b") == "a&#60;b" and breakable("x-") == "x-"
    files = data_page.data_files()
    for kind in ("raw", "processed"):
        table = data_page.download_table(files, kind)
        for text, target in re.findall(r"\[([^\]]+)\]\((data/[^)]+)\)", table):
            assert text.replace("<wbr>", "").replace("\\_", "_") == Path(target).name
            assert all(text[: m.start()].endswith(("_", ".", "/", "-")) for m in re.finditer("<wbr>", text)), text


def test_size_text():
    assert data_page.size_text(381) == "381 bytes" and data_page.size_text(1344) == "1.3 kB"
