"""India's states and union territories for GST: their codes, and the state of a delivery address.

GST is CGST + SGST when the goods stay in the seller's state and IGST when they cross a state
border, so the place of supply (the state delivered to) decides the tax lines. It comes from the
delivery address: a state named in it, or else its PIN code.

The PIN table is small on purpose: India Post's PIN codes are assigned by postal circle, and the
first two or three digits of a PIN name the circle and its sorting district (India Post; the
prefix table of Wikipedia's "Postal Index Number", keyed by ISO 3166-2:IN). Where a circle spans
two states or territories (Uttar Pradesh and Uttarakhand, Bihar and Jharkhand, Gujarat and Dadra
and Nagar Haveli and Daman and Diu, ...), the sorting districts of the smaller one are listed by
their longer prefix, and the state written in the address wins over the PIN when both lie in the
PIN's zone. The GST state codes are those of the GSTIN's first two digits (CBIC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["STATES", "State", "state_of_address", "state_of_code", "state_of_pin"]


@dataclass(frozen=True, slots=True)
class State:
    code: str  # ISO 3166-2:IN subdivision code, without "IN-"
    gst: str  # the GST state code: the first two digits of a GSTIN registered there
    name: str
    aliases: tuple[str, ...] = ()  # other codes and spellings people write


STATES: tuple[State, ...] = (
    State("JK", "01", "Jammu and Kashmir", ("Jammu & Kashmir",)),
    State("HP", "02", "Himachal Pradesh"),
    State("PB", "03", "Punjab"),
    State("CH", "04", "Chandigarh"),
    State("UK", "05", "Uttarakhand", ("UT", "Uttaranchal")),
    State("HR", "06", "Haryana"),
    State("DL", "07", "Delhi", ("New Delhi", "NCT of Delhi")),
    State("RJ", "08", "Rajasthan"),
    State("UP", "09", "Uttar Pradesh"),
    State("BR", "10", "Bihar"),
    State("SK", "11", "Sikkim"),
    State("AR", "12", "Arunachal Pradesh"),
    State("NL", "13", "Nagaland"),
    State("MN", "14", "Manipur"),
    State("MZ", "15", "Mizoram"),
    State("TR", "16", "Tripura"),
    State("ML", "17", "Meghalaya"),
    State("AS", "18", "Assam"),
    State("WB", "19", "West Bengal"),
    State("JH", "20", "Jharkhand"),
    State("OD", "21", "Odisha", ("OR", "Orissa")),
    State("CG", "22", "Chhattisgarh", ("CT",)),
    State("MP", "23", "Madhya Pradesh"),
    State("GJ", "24", "Gujarat"),
    State(
        "DH",
        "26",
        "Dadra and Nagar Haveli and Daman and Diu",
        ("DD", "DN", "Daman and Diu", "Dadra and Nagar Haveli", "Daman", "Silvassa"),
    ),
    State("MH", "27", "Maharashtra"),
    State("KA", "29", "Karnataka"),
    State("GA", "30", "Goa"),
    State("LD", "31", "Lakshadweep"),
    State("KL", "32", "Kerala"),
    State("TN", "33", "Tamil Nadu"),
    State("PY", "34", "Puducherry", ("Pondicherry",)),
    State("AN", "35", "Andaman and Nicobar Islands", ("Andaman & Nicobar",)),
    State("TG", "36", "Telangana", ("TS",)),
    State("AP", "37", "Andhra Pradesh"),
    State("LA", "38", "Ladakh"),
)

_BY_CODE = {s.code: s for s in STATES} | {s.gst: s for s in STATES}
_BY_CODE |= {alias.upper(): s for s in STATES for alias in s.aliases if len(alias) == 2}

# PIN prefix -> state code; the longest prefix that matches wins. Army Postal Service PINs (9x) have
# no state. Sources in the module's docstring.
_PREFIXES: dict[str, str] = {
    "11": "DL",
    **dict.fromkeys(("12", "13"), "HR"),
    **dict.fromkeys(("14", "15", "16"), "PB"),
    "160": "CH",
    "17": "HP",
    **dict.fromkeys(("18", "19"), "JK"),
    "194": "LA",
    **dict.fromkeys(("20", "21", "22", "23", "24", "25", "26", "27", "28"), "UP"),
    **dict.fromkeys(("246", "248", "249", "263", "2447", "2476", "2623", "2625"), "UK"),
    **dict.fromkeys(("30", "31", "32", "33", "34"), "RJ"),
    **dict.fromkeys(("36", "37", "38", "39"), "GJ"),
    **dict.fromkeys(("39621", "39622", "39623", "39624", "36252"), "DH"),
    **dict.fromkeys(("40", "41", "42", "43", "44"), "MH"),
    "403": "GA",
    **dict.fromkeys(("45", "46", "47", "48"), "MP"),
    "49": "CG",
    "50": "TG",
    **dict.fromkeys(("51", "52", "53"), "AP"),
    **dict.fromkeys(("56", "57", "58", "59"), "KA"),
    **dict.fromkeys(("60", "61", "62", "63", "64", "65", "66"), "TN"),
    **dict.fromkeys(("6050", "6096", "673310", "533464"), "PY"),
    **dict.fromkeys(("67", "68", "69"), "KL"),
    "6825": "LD",
    **dict.fromkeys(("70", "71", "72", "73", "74"), "WB"),
    "737": "SK",
    "744": "AN",
    **dict.fromkeys(("75", "76", "77"), "OD"),
    "78": "AS",
    **dict.fromkeys(("790", "791", "792"), "AR"),
    **dict.fromkeys(("793", "794"), "ML"),
    "795": "MN",
    "796": "MZ",
    **dict.fromkeys(("797", "798"), "NL"),
    "799": "TR",
    **dict.fromkeys(("80", "81", "82", "83", "84", "85"), "BR"),
    **dict.fromkeys(
        ("814", "815", "816", "822", "825", "826", "827", "828", "829", "831", "832", "833", "834", "835"), "JH"
    ),
}
_PIN = re.compile(r"(?<!\d)([1-8]\d{2}) ?(\d{3})(?!\d)")
_NAMES = sorted(
    ((name, s) for s in STATES for name in (s.name, *s.aliases) if len(name) > 2),
    key=lambda pair: -len(pair[0]),  # "West Bengal" before "Bengal"; "New Delhi" before "Delhi"
)


def state_of_code(code: str) -> State | None:
    """A state by its ISO code ("MH"), another code people use ("OR", "TS") or its GST code ("27")."""
    return _BY_CODE.get(code.strip().upper().removeprefix("IN-"))


def state_of_pin(pin: str) -> State | None:
    """The state a six-digit PIN code delivers to; None for an Army Postal Service or malformed PIN."""
    digits = "".join(pin.split())
    if len(digits) != 6 or not digits.isdigit() or digits[0] in "09":
        return None
    for length in range(6, 1, -1):
        code = _PREFIXES.get(digits[:length])
        if code is not None:
            return _BY_CODE[code]
    return None


def _named(text: str) -> State | None:
    """The state or territory written in an address ("..., Dehradun, Uttarakhand"), the last one named."""
    found: tuple[int, State] | None = None
    for name, state in _NAMES:
        for match in re.finditer(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.IGNORECASE):
            if found is None or match.start() > found[0]:
                found = (match.start(), state)
    return found[1] if found else None


def _zone(state: State) -> set[str]:
    """The PIN zones (first digits) that deliver in ``state``."""
    return {prefix[0] for prefix, code in _PREFIXES.items() if code == state.code}


def state_of_address(address: str | None, pin: str | None = None) -> State | None:
    """The state an address is in: its PIN's, unless the address names another state of the same
    PIN zone (a PIN of a shared postal circle: "Roorkee, Uttarakhand 247667" is not Uttar Pradesh)."""
    text = address or ""
    if pin is None:
        match = _PIN.search(text)
        pin = "".join(match.groups()) if match else None
    by_pin = state_of_pin(pin) if pin else None
    named = _named(text)
    if by_pin is None:
        return named
    if named is not None and named != by_pin and pin is not None and pin[0] in _zone(named):
        return named
    return by_pin
