"""Staff accounts and the audit log in both stores."""

from __future__ import annotations

from chatshop.store.base import Store
from chatshop.store.people import StaffAccount


def account(name: str, role: str = "agent", key: str = "k1") -> StaffAccount:
    return StaffAccount(name=name, role=role, password_hash=f"$argon2id$hash-of-{name}", session_key=key)


async def test_staff_accounts_are_added_once_listed_changed_and_removed(store: Store) -> None:
    assert await store.add_staff(account("ravi"))
    assert await store.add_staff(account("anna", "owner"))
    assert not await store.add_staff(account("anna", "agent", "other"))  # the name is taken: nothing changes
    anna = await store.get_staff("anna")
    assert anna is not None and (anna.role, anna.session_key) == ("owner", "k1")
    assert anna.created_at is not None
    assert [a.name for a in await store.list_staff()] == ["anna", "ravi"]
    assert await store.set_staff_password("ravi", "$argon2id$new", "k2")
    ravi = await store.get_staff("ravi")
    assert ravi is not None and (ravi.password_hash, ravi.session_key) == ("$argon2id$new", "k2")
    assert not await store.set_staff_password("nobody", "x", "y")
    assert await store.remove_staff("ravi")
    assert not await store.remove_staff("ravi")
    assert await store.get_staff("ravi") is None


async def test_the_audit_log_is_newest_first_and_found_by_subject(store: Store) -> None:
    await store.record_audit("anna", "order.shipped", "K7M-4QX")
    await store.record_audit("owner (token)", "product.price", "atta-5kg", "245.00 -> 250.00")
    await store.record_audit("ravi", "reply", "whatsapp:919800000001")
    log = await store.audit_log()
    assert [(e.actor, e.action) for e in log] == [
        ("ravi", "reply"),
        ("owner (token)", "product.price"),
        ("anna", "order.shipped"),
    ]
    assert log[1].detail == "245.00 -> 250.00"
    assert [e.actor for e in await store.audit_log(limit=1, offset=1)] == ["owner (token)"]
    assert [e.action for e in await store.audit_log(subject="K7M-4QX")] == ["order.shipped"]
    assert log[0].at >= log[2].at
