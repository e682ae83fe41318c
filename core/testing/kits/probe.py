"""The kits' listener inside the shop: a dialog feature that shows what the kit asks it to show and
notes which messages reached a turn and which choice ids came back (after the core mapped them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chatshop.dialog.feature import Action, DialogFeature, Interceptor
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Inbound, Outbound

__all__ = ["PROBE", "Probe"]

#: The choice ids of the kit's buttons start with it; its command word shows ``Probe.show``.
PREFIX = "kit"
WORD = "kitshow"


@dataclass
class Probe:
    """What the shop's turns saw, for the kit to read; ``show`` is what "kitshow" answers with."""

    show: list[Outbound] = field(default_factory=list)
    #: ``(channel, message id)`` of every message a turn ran for, in order.
    turns: list[tuple[str, str]] = field(default_factory=list)
    #: Every kit choice id that came back, whole.
    choices: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.show.clear()
        self.turns.clear()
        self.choices.clear()


PROBE = Probe()


def _note(turn: Turn, inbound: Inbound) -> bool:
    PROBE.turns.append((inbound.channel, inbound.message_id))
    return False  # the shop's dialog goes on as usual


def _act(turn: Turn, arg: str) -> None:
    if arg == "show":
        turn.out.extend(PROBE.show)
        return
    PROBE.choices.append(f"{PREFIX}:{arg}")
    turn.say(f"ok {len(PROBE.choices)}")


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register("en", {"chatshop_kit_words": WORD})


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(
        DialogFeature(
            name="chatshop_kit",
            actions={PREFIX: Action(_act)},
            commands={"chatshop_kit_words": f"{PREFIX}:show"},
            interceptors=[Interceptor(_note, priority=-1_000_000)],
        )
    )
