"""The README's first command at a real keyboard: Ctrl-C leaves, arrow keys edit the line, Ctrl-D says bye."""

from __future__ import annotations

import termios
from pathlib import Path

from .pty_chat import Terminal, demo_copy


def test_ctrl_c_at_the_prompt_leaves_at_once(tmp_path: Path) -> None:
    term = Terminal(demo_copy(tmp_path))
    try:
        term.expect("you> ")
        term.type(b"\x03")
        status = term.wait_exit()  # it waited for one more Enter, and a second Ctrl-C did not help either
        after = term.attributes()
    finally:
        term.kill()
    assert status == 130
    assert "Traceback" not in term.screen and "Aborted" not in term.screen
    modes = after[3]
    assert isinstance(modes, int) and modes & termios.ECHO and modes & termios.ICANON  # the shell can read again


def test_ctrl_c_while_the_shop_answers_leaves_too(tmp_path: Path) -> None:
    term = Terminal(demo_copy(tmp_path))
    try:
        term.expect("you> ")
        term.type(b"hi\r")
        term.expect("Browse catalog")
        term.expect("you> ", 2)
        term.type(b"\x03")
        assert term.wait_exit() == 130
    finally:
        term.kill()


def test_arrow_keys_edit_the_line_instead_of_typing_escape_codes(tmp_path: Path) -> None:
    term = Terminal(demo_copy(tmp_path))
    try:
        term.expect("you> ")
        term.type(b"ata\x1b[Dt\r")  # "ata", left arrow, "t": "atta"
        term.expect("you> ", 2)
        term.type(b"\x04")
        assert term.wait_exit() == 0
    finally:
        term.kill()
    assert "Aashirvaad Shudh Chakki Atta" in term.screen
    assert "[D" not in term.screen.split("you> ", 2)[-1]


def test_ctrl_d_ends_the_line_before_the_shell_prompt(tmp_path: Path) -> None:
    term = Terminal(demo_copy(tmp_path))
    try:
        term.expect("you> ")
        term.type(b"\x04")
        assert term.wait_exit() == 0
    finally:
        term.kill()
    assert term.screen.rstrip(" ").endswith("\n"), repr(term.screen[-40:])


def test_a_line_with_bytes_that_are_not_utf8_is_answered_not_dropped(tmp_path: Path) -> None:
    """A terminal in another encoding (or a stray byte) sends invalid UTF-8: the line got no answer at all."""
    term = Terminal(demo_copy(tmp_path))
    try:
        term.expect("you> ")
        term.type(b"atta \xe9\xff\r")  # "atta é" from a Latin-1 terminal
        term.expect("you> ", 2)
        term.type(b"\x04")
        assert term.wait_exit() == 0
    finally:
        term.kill()
    assert "Aashirvaad Shudh Chakki Atta" in term.screen
