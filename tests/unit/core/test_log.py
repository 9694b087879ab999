"""analysis.log: one line per stage with its time, silent unless configured, a status line only on a terminal."""

from __future__ import annotations

import io
import logging

import pytest

from analysis import log, wall


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _detached():
    yield
    log.reset()


def test_a_stage_logs_one_line_with_its_time_and_names_itself_for_the_wall():
    stream = io.StringIO()
    log.configure(stream=stream)
    with log.step("build things"):
        assert wall._current[0] == "build things"
    assert stream.getvalue().endswith(" s\n")
    assert stream.getvalue().startswith("build things: ")
    assert len(stream.getvalue().splitlines()) == 1


def test_quiet_and_unconfigured_print_nothing(capsys):
    stream = io.StringIO()
    log.configure(quiet=True, stream=stream)
    with log.step("quiet stage"):
        pass
    assert stream.getvalue() == ""
    log.reset()
    with log.step("unconfigured stage"):
        pass
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == "", "notebooks and pages that build tables print no stage line"


def test_configuring_twice_does_not_double_the_lines():
    first, second = io.StringIO(), io.StringIO()
    log.configure(stream=first)
    log.configure(stream=second)
    with log.step("once"):
        pass
    assert first.getvalue() == "" and len(second.getvalue().splitlines()) == 1


def test_a_stage_that_raises_logs_no_time():
    stream = io.StringIO()
    log.configure(stream=stream)
    with pytest.raises(ValueError), log.step("breaks"):
        raise ValueError("made up for the test")
    assert stream.getvalue() == ""


def test_on_a_terminal_the_running_stage_is_a_status_line_the_result_replaces():
    stream = Terminal()
    log.configure(stream=stream)
    with log.step("slow stage"):
        assert stream.getvalue().endswith("slow stage ...")
    text = stream.getvalue()
    final = text.split("\r\x1b[K")[-1]
    assert final.startswith("slow stage: ") and final.endswith(" s\n")


def test_not_on_a_terminal_there_is_no_control_character():
    stream = io.StringIO()
    log.configure(stream=stream)
    with log.step("plain"):
        pass
    assert "\x1b" not in stream.getvalue() and "\r" not in stream.getvalue()


@pytest.mark.parametrize(("seconds", "text"), [(0.0, "0.00 s"), (0.414, "0.41 s"), (9.994, "9.99 s"), (12.34, "12.3 s")])
def test_seconds_text(seconds, text):
    assert log.seconds_text(seconds) == text


def test_reset_leaves_the_logger_as_on_import():
    log.configure()
    log.reset()
    assert not [h for h in log.LOGGER.handlers if isinstance(h, log.StageHandler)]
    assert log.LOGGER.level == logging.NOTSET and log.LOGGER.propagate
