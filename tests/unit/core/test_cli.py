"""analysis.cli: the long commands take -q; the stage log is attached for a run and detached after it."""

from __future__ import annotations

import pytest

from analysis import log
from analysis.cli import _parser, main


@pytest.mark.parametrize("command", [["process"], ["report", "--raw", "r", "--out", "o"]])
def test_the_long_commands_take_quiet(command):
    assert _parser().parse_args([*command, "-q"]).quiet is True
    assert _parser().parse_args([*command, "--quiet"]).quiet is True
    assert _parser().parse_args(command).quiet is False


def test_a_run_leaves_the_logger_as_it_found_it(capsys):
    assert main(["hashes"]) == 0
    assert not [h for h in log.LOGGER.handlers if isinstance(h, log.StageHandler)]
    assert capsys.readouterr().err == ""
