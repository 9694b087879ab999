"""Nothing lost, whatever the input: the faults a careful user can still trip (issue 19), one class at a time.

Every failing run must exit with the right code, print exactly one ``error:`` line naming the right
thing, print no traceback, and leave --out, everything beside it and the raw folder as they were.
Each test works in a scratch folder holding a copy of data/raw (``raw``), an --out folder with the
committed processed set (``processed``) and whatever siblings the test adds; the whole folder is
compared before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import QUICK_PROCESS, messages

from analysis.cli import main
from analysis.data import publish as pub
from analysis.data.cases import load_paired_cases
from analysis.data.errors import AuditDataError
from analysis.data.package import update_hashes
from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT, RAW_DIR
from analysis.data.schemas import max_bytes


def tree(root: Path) -> dict[str, object]:
    """Every entry under ``root`` (hidden ones too, but not Jupyter's checkpoint folders): a file's bytes, a link's target, or 'dir'."""
    out: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if pub.CHECKPOINTS in path.relative_to(root).parts:
            continue
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def payload() -> dict[str, bytes]:
    """The committed processed set (what a run publishes), so that publishing tests need not run the pipeline."""
    return {p.name: p.read_bytes() for p in pub.set_files(PROCESSED_DIR)}


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A scratch folder with ``raw`` (a copy of data/raw) and ``processed`` (the committed set, with its marker)."""
    shutil.copytree(RAW_DIR, tmp_path / "raw")
    shutil.copytree(PROCESSED_DIR, tmp_path / "processed")
    return tmp_path


def fails(place: Path, argv: list[str], capsys, *must_contain: str, code: int = 1, must_not: tuple[str, ...] = ()) -> str:
    """Run the CLI in process; assert the exit code, one error line holding ``must_contain``, and nothing changed in ``place``."""
    before = tree(place)
    assert main(argv) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    [line] = lines
    assert line.startswith("error: "), line
    for text in must_contain:
        assert text in line, (text, line)
    for text in must_not:
        assert text not in line, (text, line)
    assert tree(place) == before, "a failed run changed --out, a folder beside it or the raw folder"
    return line


def process_args(place: Path, out: Path | None = None) -> list[str]:
    return ["process", "--raw", str(place / "raw"), "--out", str(out if out is not None else place / "processed")]


def edit_descriptor(raw: Path, change) -> None:
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def field(descriptor: dict, name: str, column: str) -> dict:
    return next(f for f in resource(descriptor, name)["schema"]["fields"] if f["name"] == column)


# --------------------------------------------------------------------------- 1. data loss


@pytest.mark.parametrize("kind", ["a backup of data/raw", "a processed set without the project's marker"])
def test_an_out_folder_holding_another_data_package_is_refused_and_kept(place, capsys, kind):
    backup = place / "backup"
    shutil.copytree(RAW_DIR if kind == "a backup of data/raw" else PROCESSED_DIR, backup)
    (backup / pub.MARKER).unlink(missing_ok=True)
    fails(place, process_args(place, backup), capsys, f"{backup}:", "did not publish", pub.MARKER)


def test_a_users_folders_beside_out_are_never_removed_whatever_their_names(place, payload):
    """Only the project's own staging names, holding only files, count as left-overs of a killed run."""
    mine = {
        ".processed.backup/notes.txt": b"mine",
        ".processed.staging-999/cases.csv": b"a user's file under the old staging name",
        ".processed.old-7/keep.csv": b"x\n",
        ".processed.lock": b"a user's file",
        ".processed.analysis-staging-1-0a1b2c3d/sub/deep.txt": b"a folder of the project's form, but holding a folder",
    }
    for rel, data in mine.items():
        (place / rel).parent.mkdir(parents=True, exist_ok=True)
        (place / rel).write_bytes(data)
    (place / "processed" / "cases.csv").write_bytes(b"an older set\n")  # so the run publishes
    assert pub.publish(payload, place / "processed")
    for rel, data in mine.items():
        assert (place / rel).read_bytes() == data, f"{rel} was removed or changed"
    assert tree(place / "processed") == tree(PROCESSED_DIR)


def test_the_committed_processed_set_carries_the_projects_marker():
    assert pub._marked_files(PROCESSED_DIR) == {p.name for p in pub.set_files(PROCESSED_DIR)} - {pub.MARKER}
    pub.check_out(PROCESSED_DIR)


def test_a_set_this_project_published_is_replaced(place, payload):
    (place / "processed" / "cases.csv").write_bytes(b"an older set\n")
    assert pub.publish(payload, place / "processed")
    assert tree(place / "processed") == tree(PROCESSED_DIR)
    assert sorted(p.name for p in place.iterdir()) == ["processed", "raw"]


def test_a_users_file_dropped_into_a_published_set_is_not_replaced(place, capsys):
    (place / "processed" / "notes.txt").write_bytes(b"mine")
    fails(place, process_args(place), capsys, "did not publish", "notes.txt")


def test_a_set_whose_data_dictionary_lists_a_table_its_marker_does_not_is_still_recognised(place, payload):
    """As after a merge that adds a processed table: the set's own datapackage.json names it, the marker is not yet rewritten."""
    out = place / "processed"
    marker = out / pub.MARKER
    marker.write_bytes(b"\n".join(line for line in marker.read_bytes().split(b"\n") if line != b"cases.csv"))
    pub.check_out(out)
    (out / "cases.csv").write_bytes(b"an older set\n")
    assert pub.publish(payload, out)
    assert tree(out) == tree(PROCESSED_DIR)


# --------------------------------------------------------------------------- 2. tracebacks from an edited schema or extreme values

SCHEMA_EDITS = {
    "a field type changed": ("figures", "count", lambda d: field(d, "figures", "count").update(type="number")),
    "an enum widened": ("figures", "rater", lambda d: field(d, "figures", "rater")["constraints"]["enum"].append("auditor")),
    "a column renamed": ("figures", "count", lambda d: field(d, "figures", "count").update(name="n")),
    "constraints malformed": ("figures", "count", lambda d: field(d, "figures", "count").update(constraints=[1])),
    "a bad pattern": (
        "practice_areas",
        "label",
        lambda d: field(d, "practice_areas", "label")["constraints"].update(pattern="(unclosed"),
    ),
    "an unknown primary key": ("practice_areas", None, lambda d: resource(d, "practice_areas")["schema"].update(primaryKey=["no_such"])),
    "an unknown foreign key": (
        "area_themes",
        None,
        lambda d: resource(d, "area_themes")["schema"]["foreignKeys"][0].update(fields=["no_such"]),
    ),
    "a required flag written as 1": ("figures", "of", lambda d: field(d, "figures", "of")["constraints"].update(required=1)),
}


def set_figure(raw: Path, old: bytes, new: bytes) -> None:
    path = raw / "figures.csv"
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


@pytest.mark.parametrize("edit", SCHEMA_EDITS)
def test_a_schema_edited_in_the_descriptor_is_one_error_naming_resource_and_field(place, capsys, edit):
    """The data's hashes still match (as after `hashes --update`): the schema itself is checked."""
    name, column, change = SCHEMA_EDITS[edit]
    raw = place / "raw"
    edit_descriptor(raw, change)
    if edit == "a column renamed":  # the CSV follows the edited schema
        set_figure(raw, b",grades,count,percent,", b",grades,n,percent,")
    if edit == "an enum widened":  # and the data uses the widened value
        set_figure(raw, b"force_selected,force,,good,27,", b"force_selected,auditor,,good,27,")
    update_hashes(raw)
    line = fails(place, process_args(place), capsys, "datapackage.json", f"resource '{name}'", "analysis/data/schemas.py")
    if column:
        assert f"field '{column}'" in line


@pytest.mark.parametrize("value", ["9" * 20, "9" * 5000], ids=["beyond 64 bits", "5,000 digits"])
def test_an_integer_beyond_64_bits_is_one_error_with_no_python_internals(place, capsys, value):
    set_figure(place / "raw", b"force_selected,force,,good,27,", f"force_selected,force,,good,{value},".encode())
    update_hashes(place / "raw")
    line = fails(
        place,
        process_args(place),
        capsys,
        "figures.csv",
        "row 1",
        "column 'count'",
        "integer out of range",
        must_not=("Exceeds the limit", "set_int_max_str_digits", "C long", "Overflow"),
    )
    assert len(line) < 1000


def test_audit_json_past_the_json_bounds_is_one_error(place, capsys):
    path = place / "raw" / "audit.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"licence"', '"x": ' + "[" * 50_000 + "]" * 50_000 + ', "licence"', 1))
    update_hashes(place / "raw")
    fails(place, process_args(place), capsys, "audit.json", "nested too deeply", must_not=("recursion",))
    path.write_text(
        path.read_text(encoding="utf-8").replace('"x": ' + "[" * 50_000 + "]" * 50_000, '"areas_partition": ' + "1" * 5000, 1),
        encoding="utf-8",
    )
    update_hashes(place / "raw")
    fails(place, process_args(place), capsys, "audit.json", "number too long", must_not=("Exceeds the limit",))


FIGURES_BYTES = '"bytes": 4747'


@pytest.mark.parametrize(
    "replace, problem",
    [
        (('"version"', '"deep": ' + "[" * 100_000 + "]" * 100_000 + ', "version"'), "nested too deeply"),
        ((FIGURES_BYTES, '"bytes": ' + "9" * 5000), "number too long"),
        ((FIGURES_BYTES, '"bytes": ' + "9" * 25), "integer out of range"),
        ((FIGURES_BYTES, '"bytes": 1e999'), "number out of range"),
        ((FIGURES_BYTES, '"bytes": NaN'), "not a JSON number"),
        ((FIGURES_BYTES, FIGURES_BYTES + ', "bytes": 4748'), "appears twice"),
        (('"title": "Practice areas', '"title": "\\ud800Practice areas'), "not a character"),
    ],
    ids=["deeply nested", "5,000 digits", "beyond 64 bits", "infinite", "NaN", "a key twice", "a lone surrogate"],
)
def test_a_descriptor_past_the_json_bounds_is_one_error(place, capsys, replace, problem):
    path = place / "raw" / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    assert replace[0] in text
    path.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    fails(place, process_args(place), capsys, "datapackage.json", problem, must_not=("Exceeds the limit", "recursion"))


# --------------------------------------------------------------------------- 3. line endings


def test_every_checksummed_file_is_checked_out_byte_exact():
    """.gitattributes turns line-ending conversion off for data/ and the test fixtures, whatever core.autocrlf says."""
    try:
        listed = subprocess.run(["git", "ls-files", "data", "tests/fixtures"], cwd=PROJ_ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    files = listed.stdout.split()
    assert any(f.startswith("data/raw/") for f in files) and any(f.startswith("data/processed/") for f in files)
    attrs = subprocess.run(["git", "check-attr", "text", "--", *files], cwd=PROJ_ROOT, capture_output=True, text=True, check=True)
    converted = [line for line in attrs.stdout.splitlines() if not line.endswith(": text: unset")]
    assert converted == [], "files whose line endings Git may convert"


def crlf_copy(raw: Path) -> None:
    """What a checkout with core.autocrlf=true (Git for Windows' default) makes of the raw files."""
    for path in raw.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def test_a_crlf_checkout_says_what_happened_and_how_to_fix_the_checkout(place, capsys):
    crlf_copy(place / "raw")
    line = fails(
        place,
        process_args(place),
        capsys,
        ".csv",
        "CRLF",
        "checkout",
        "git checkout HEAD --",
        "core.autocrlf",
        "not the hashes",
        must_not=("hashes --update", "run with --update"),
    )
    assert line.count("sha256:") == 2


def test_hashes_refuses_to_record_a_crlf_checkout(place, capsys):
    crlf_copy(place / "raw")
    for argv in (["hashes", "--raw", str(place / "raw")], ["hashes", "--update", "--raw", str(place / "raw")]):
        fails(place, argv, capsys, "CRLF", "checkout", must_not=("hashes --update", "run with --update"))


def test_a_file_with_a_real_change_still_points_to_hashes_update(place, capsys):
    path = place / "raw" / "source.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace(b"Gwent", b"Gwynt", 1))
    fails(place, process_args(place), capsys, "source.csv", "hashes --update", must_not=("CRLF",))


# --------------------------------------------------------------------------- 4. an interrupt that says which set is in place


def interrupted_run(place: Path, point: str) -> tuple[int, str]:
    env = {**os.environ, pub.INTERRUPT_AT_ENV: point}
    result = subprocess.run(
        [sys.executable, "-c", QUICK_PROCESS, str(PROCESSED_DIR), *process_args(place)],
        env=env,
        cwd=place,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stderr


def test_ctrl_c_just_after_the_swap_says_the_new_set_is_in_place(place, payload):
    (place / "processed" / "cases.csv").write_bytes(b"an older set\n")
    code, err = interrupted_run(place, "swapped")
    assert code == 130 and "Traceback" not in err
    [line] = messages(err)
    assert line.startswith("error: interrupted") and "new set is in place" in line and "unchanged" not in line, line
    assert str(place / "processed") in line
    assert tree(place / "processed") == tree(PROCESSED_DIR)
    assert not pub.publish(payload, place / "processed")  # the next run removes the previous set left beside it
    assert sorted(p.name for p in place.iterdir()) == ["processed", "raw"]


def test_ctrl_c_before_the_swap_says_the_previous_set_is_unchanged(place):
    (place / "processed" / "cases.csv").write_bytes(b"an older set\n")
    before = tree(place)
    code, err = interrupted_run(place, "staged")
    assert code == 130 and "Traceback" not in err
    [line] = messages(err)
    assert "previous set" in line and "unchanged" in line and "new set is in place" not in line, line
    assert tree(place) == before, "an interrupted run left a staging folder or changed --out"


# --------------------------------------------------------------------------- 5. messages that name the right thing


def test_out_as_a_symbolic_link_to_a_folder_is_named_as_a_link(place, capsys):
    link = place / "link"
    link.symlink_to(place / "processed")
    line = fails(place, process_args(place, link), capsys, f"{link}:", "symbolic link", must_not=("is a file",))
    assert "staging" not in line


def test_out_as_a_dangling_symbolic_link_is_named_not_the_staging_folder(place, capsys):
    link = place / "gone"
    link.symlink_to(place / "nowhere")
    line = fails(place, process_args(place, link), capsys, f"{link}:", "dangling")
    assert "staging" not in line


def _in_a_mount_namespace(place: Path, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (Python) with a fresh tmpfs mounted on ``place/mnt``, in a private mount namespace (no root needed)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not available")
    (place / "mnt").mkdir()
    command = f'mount -t tmpfs tmpfs {place / "mnt"} && exec {sys.executable} -c "$0"'
    result = subprocess.run(["unshare", "-rm", "sh", "-c", command, script], cwd=place, capture_output=True, text=True, check=False)
    if "unshare" in result.stderr or "mount:" in result.stderr:
        pytest.skip(f"cannot make a mount namespace here: {result.stderr.strip()}")
    return result


@pytest.mark.parametrize("detected", [True, False], ids=["seen as a mount point", "found only when the rename fails"])
def test_out_as_a_mount_point_is_named_not_the_staging_folder(place, detected):
    out = place / "mnt"
    script = (
        textwrap.dedent(f"""
        import os.path, sys
        if not {detected}:
            os.path.ismount = lambda path: False  # as for a bind mount on the same device
        sys.argv = ["-c", {str(PROCESSED_DIR)!r}, *{process_args(place, out)!r}]
    """)
        + QUICK_PROCESS
    )
    before = {k: v for k, v in tree(place).items()}
    result = _in_a_mount_namespace(place, script)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = messages(result.stderr)
    assert line.startswith(f"error: {out}:") and "mount point" in line and "staging" not in line, line
    assert tree(place) == {**before, "mnt": "dir"}


@pytest.mark.parametrize(
    "notation",
    [str.upper, lambda h: h.removeprefix("sha256:"), lambda h: h.replace("sha256:", "SHA-256:"), lambda h: h + " "],
    ids=["upper case", "no algorithm", "another algorithm name", "a trailing space"],
)
def test_a_hash_in_another_notation_is_named_as_such(place, capsys, notation):
    edit_descriptor(place / "raw", lambda d: resource(d, "figures").update(hash=notation(resource(d, "figures")["hash"])))
    fails(place, process_args(place), capsys, "datapackage.json", "resource 'figures'", "another notation", must_not=("file differs",))


def test_a_size_in_another_form_is_named_as_such(place, capsys):
    edit_descriptor(place / "raw", lambda d: resource(d, "figures").update(bytes="4747"))
    fails(place, process_args(place), capsys, "datapackage.json", "resource 'figures'", "size", must_not=("file differs",))


# --------------------------------------------------------------------------- 6. memory and time bounded on any raw file

#: The process's own peak resident memory in MB: VmHWM, which starts afresh when the process image
#: is replaced. (getrusage's ru_maxrss would not do: Linux carries the parent's peak across fork and
#: exec, so a pytest worker that had grown, e.g. while numba compiled, failed this test for nothing.)
PEAK_SCRIPT = """
import sys
from analysis.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024, file=sys.stdout)
sys.exit(code)
"""


def test_a_200_mb_raw_file_is_refused_in_bounded_memory(place):
    """A raw table grown to 200 MB, its hash recorded as after a review: one error, peak memory well under 1 GB."""
    raw = place / "raw"
    path = raw / "coverage_lines.csv"
    header, body = path.read_bytes().split(b"\n", 1)
    block = body * (2**20 // len(body) + 1)
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as fh:
        for chunk in (header + b"\n", *[block] * (200 * 2**20 // len(block))):
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    assert size > 200 * 10**6
    edit_descriptor(raw, lambda d: resource(d, "coverage_lines").update(hash="sha256:" + digest.hexdigest(), bytes=size))
    out_before = tree(place / "processed")
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, *process_args(place)], cwd=place, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    [line] = messages(result.stderr)
    assert "coverage_lines.csv" in line and "larger than the project reads" in line and f"{max_bytes('coverage_lines'):,}" in line
    peak_mb = int(result.stdout.split()[-1])
    assert peak_mb < 500, f"peak memory {peak_mb} MB"
    assert tree(place / "processed") == out_before


def test_a_case_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "cases.csv"
    with path.open("wb") as fh:
        fh.truncate(max_bytes("cases") + 1)  # sparse: no disk used, nothing to read
    with pytest.raises(AuditDataError, match="larger than the project reads") as err:
        load_paired_cases(path, allow_unknown_areas=True)
    assert "cases.csv" in str(err.value) and "\n" not in str(err.value) and f"{max_bytes('cases'):,} bytes" in str(err.value)


# --------------------------------------------------------------------------- 7. case-level files: one rule for white space

HEADER = "case_id,practice_area,force_grade,hmicfrs_grade\n"


@pytest.mark.parametrize(
    "other", [" A1", "A1 ", "\u00a0A1", "A1\u3000"], ids=["leading space", "trailing space", "no-break space", "ideographic space"]
)
def test_case_ids_that_differ_only_by_surrounding_spaces_are_refused(tmp_path, other):
    path = tmp_path / "paired.csv"
    path.write_text(HEADER + f"A1,s47_enquiries,good,good\n{other},s47_enquiries,good,inadequate\n", encoding="utf-8")
    with pytest.raises(AuditDataError, match="starts or ends with white space") as err:
        load_paired_cases(path, allow_unknown_areas=True)
    assert err.value.row == 2 and err.value.column == "case_id" and err.value.found == repr(other)
    assert "paired.csv" in err.value.file and "\n" not in str(err.value)


def test_the_white_space_rule_holds_for_every_raw_table(place, capsys):
    path = place / "raw" / "practice_areas.csv"
    path.write_bytes(path.read_bytes().replace(b",Missing children,", b",Missing children ,", 1))
    update_hashes(place / "raw")
    fails(place, process_args(place), capsys, "practice_areas.csv", "row 5", "column 'label'", "white space")
