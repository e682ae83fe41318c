"""The shop's people: named staff accounts with a role, and their passwords.

Passwords are hashed with Argon2id (``argon2-cffi``, the memory-hard hash the Password Hashing
Competition chose), never stored or logged in clear. An owner may do everything; an agent answers
customers in the team inbox, reads orders and makes the order moves ``[admin] agent_moves`` allows,
and changes no catalog, price, refund or staff. The first owner may also log in with the
``[admin] token_env`` token.
"""

from __future__ import annotations

import secrets
import unicodedata
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chatshop.store.people import StaffAccount

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "TOKEN_OWNER",
    "Role",
    "StaffError",
    "check_name",
    "check_password",
    "hash_password",
    "new_account",
    "new_session_key",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
#: Hashing a megabyte of "password" is work an attacker could ask for at every login attempt.
MAX_PASSWORD_LENGTH = 256
#: Who the ``[admin] token_env`` token logs in as (no account can take this name).
TOKEN_OWNER = "owner (token)"  # noqa: S105 (a display name, not a secret)
MAX_NAME_LENGTH = 40
_NAME_PUNCTUATION = frozenset(" .'-_")

_hasher = PasswordHasher()  # Argon2id, 64 MiB, 3 passes: the library's (RFC 9106's) defaults


@cache
def _decoy() -> str:
    """A hash checked when the name is unknown, so that a wrong name takes as long as a wrong
    password; made at the first login, not at import (every command imports this module)."""
    return _hasher.hash(secrets.token_hex(16))


class Role(StrEnum):
    OWNER = "owner"
    AGENT = "agent"


class StaffError(ValueError):
    """A staff name, password or role that cannot be used; the message says why."""


def check_name(name: str) -> str:
    """A staff name as people write it: letters and marks of any script (रवि, 李明), digits, spaces
    and . ' - _, starting with a letter or digit; up to 40 characters."""
    name = unicodedata.normalize("NFC", name.strip())
    allowed = all(unicodedata.category(c)[0] in "LMN" or c in _NAME_PUNCTUATION for c in name)
    if not name or len(name) > MAX_NAME_LENGTH or not allowed or unicodedata.category(name[0])[0] not in "LN":
        raise StaffError(
            f"{name[:MAX_NAME_LENGTH]!r}: a staff name is 1 to {MAX_NAME_LENGTH} letters, digits, spaces "
            "or . ' - _, starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify_password(account: StaffAccount | None, password: str) -> bool:
    """Whether ``password`` is the account's; as slow for an unknown account as for a known one."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(account.password_hash if account else _decoy(), password) and account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_session_key() -> str:
    return secrets.token_urlsafe(16)


def new_account(name: str, role: str, password: str) -> StaffAccount:
    try:
        checked_role = Role(role)
    except ValueError:
        raise StaffError(f"{role!r}: a role is owner or agent") from None
    return StaffAccount(check_name(name), checked_role.value, hash_password(password), new_session_key())
