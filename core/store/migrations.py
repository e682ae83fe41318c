"""Versioned schema migrations, one list per database. Append; never edit a released step."""

from __future__ import annotations

from collections.abc import Iterable

from chatshop.config import ConfigError, ConfigProblem


def refuse_newer(applied: Iterable[int], known: list[tuple[int, str]]) -> None:
    """A database a newer chatshop migrated (the owner went back a version): its tables are not the
    ones this code writes, so the shop does not start on it rather than corrupt it."""
    newest, found = max(version for version, _ in known), max(applied, default=0)
    if found > newest:
        raise ConfigError(
            [
                ConfigProblem(
                    path="storage.url",
                    message=f"the database has schema version {found}, newer than this chatshop knows "
                    f"({newest}): upgrade chatshop to the version that migrated it",
                )
            ]
        )


SQLITE_MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    handled_at TEXT,
    UNIQUE (channel, message_id)
);
CREATE INDEX inbox_pending ON inbox (customer_key, id) WHERE handled_at IS NULL;
CREATE TABLE conversations (
    customer_key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_inbound_at TEXT,
    updated_at TEXT
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    provider_message_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_pending ON outbox (customer_key, id) WHERE status = 'pending';
CREATE INDEX outbox_provider ON outbox (provider_message_id);
CREATE TABLE inventory (
    product_id TEXT PRIMARY KEY,
    stock INTEGER CHECK (stock IS NULL OR stock >= 0),
    price_minor INTEGER,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    placement_key TEXT NOT NULL UNIQUE,
    customer_key TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    paid_minor INTEGER NOT NULL DEFAULT 0,
    refunded_minor INTEGER NOT NULL DEFAULT 0,
    payment_ref TEXT,
    payment_url TEXT,
    payment_expires_at TEXT
);
CREATE INDEX orders_customer ON orders (customer_key, created_at);
CREATE INDEX orders_status ON orders (status, payment_expires_at);
CREATE TABLE order_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL REFERENCES orders (number),
    at TEXT NOT NULL,
    old TEXT,
    new TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_history_number ON order_history (number);
CREATE TABLE events (
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at TEXT
)
""",
    ),
    (
        2,
        """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    customer_key TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE status = 'pending';
CREATE INDEX jobs_customer ON jobs (customer_key) WHERE customer_key IS NOT NULL
""",
    ),
    (
        3,
        """
CREATE TABLE claims (
    key TEXT PRIMARY KEY,
    used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0)
);
CREATE TABLE order_claims (
    number TEXT NOT NULL REFERENCES orders (number),
    key TEXT NOT NULL,
    released_at TEXT,
    PRIMARY KEY (number, key)
);
CREATE INDEX order_claims_key ON order_claims (key);
CREATE TABLE invoice_counters (
    year TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE invoices (
    number TEXT PRIMARY KEY,
    order_number TEXT NOT NULL UNIQUE REFERENCES orders (number),
    year TEXT NOT NULL,
    seq INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (year, seq)
)
""",
    ),
    (
        4,
        """
CREATE TABLE stock_alerts (
    product_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (product_id, customer_key)
);
CREATE INDEX stock_alerts_customer ON stock_alerts (customer_key);
CREATE TABLE reminders (
    kind TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, customer_key, subject)
);
CREATE INDEX reminders_sent ON reminders (kind, sent_at);
CREATE INDEX reminders_customer ON reminders (customer_key);
CREATE TABLE message_counts (
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    billing TEXT NOT NULL,
    messages INTEGER NOT NULL,
    PRIMARY KEY (day, channel, billing)
);
CREATE TABLE order_messages (
    number TEXT NOT NULL,
    channel TEXT NOT NULL,
    billing TEXT NOT NULL,
    messages INTEGER NOT NULL,
    PRIMARY KEY (number, channel, billing)
)
""",
    ),
    (
        5,
        """
ALTER TABLE conversations ADD COLUMN handover_since TEXT;
ALTER TABLE conversations ADD COLUMN assigned_to TEXT;
ALTER TABLE conversations ADD COLUMN assigned_at TEXT;
CREATE INDEX conversations_handover ON conversations (handover_since) WHERE handover_since IS NOT NULL;
ALTER TABLE outbox ADD COLUMN author TEXT;
CREATE INDEX inbox_customer ON inbox (customer_key, id);
CREATE INDEX outbox_customer ON outbox (customer_key, id);
CREATE TABLE staff (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    session_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_subject ON audit (subject)
""",
    ),
]

POSTGRES_MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE inbox (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    handled_at TIMESTAMPTZ,
    UNIQUE (channel, message_id)
);
CREATE INDEX inbox_pending ON inbox (customer_key, id) WHERE handled_at IS NULL;
CREATE TABLE conversations (
    customer_key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_inbound_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    customer_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    provider_message_id TEXT,
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (customer_key, id) WHERE status = 'pending';
CREATE INDEX outbox_provider ON outbox (provider_message_id);
CREATE TABLE inventory (
    product_id TEXT PRIMARY KEY,
    stock BIGINT CHECK (stock IS NULL OR stock >= 0),
    price_minor BIGINT,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    seq BIGSERIAL NOT NULL,
    placement_key TEXT NOT NULL UNIQUE,
    customer_key TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    payment_method TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    paid_minor BIGINT NOT NULL DEFAULT 0,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    payment_ref TEXT,
    payment_url TEXT,
    payment_expires_at TIMESTAMPTZ
);
CREATE INDEX orders_customer ON orders (customer_key, created_at);
CREATE INDEX orders_status ON orders (status, payment_expires_at);
CREATE TABLE order_history (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL REFERENCES orders (number),
    at TIMESTAMPTZ NOT NULL,
    old TEXT,
    new TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_history_number ON order_history (number);
CREATE TABLE events (
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at TIMESTAMPTZ
);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    wanted BOOLEAN NOT NULL DEFAULT FALSE
)
""",
    ),
    (
        2,
        """
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL,
    customer_key TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    last_error TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE status = 'pending';
CREATE INDEX jobs_customer ON jobs (customer_key) WHERE customer_key IS NOT NULL
""",
    ),
    (
        3,
        """
CREATE TABLE claims (
    key TEXT PRIMARY KEY,
    used BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0)
);
CREATE TABLE order_claims (
    number TEXT NOT NULL REFERENCES orders (number),
    key TEXT NOT NULL,
    released_at TIMESTAMPTZ,
    PRIMARY KEY (number, key)
);
CREATE INDEX order_claims_key ON order_claims (key);
CREATE TABLE invoice_counters (
    year TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
CREATE TABLE invoices (
    number TEXT PRIMARY KEY,
    order_number TEXT NOT NULL UNIQUE REFERENCES orders (number),
    year TEXT NOT NULL,
    seq BIGINT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    issued_at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (year, seq)
)
""",
    ),
    (
        4,
        """
CREATE TABLE stock_alerts (
    product_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, customer_key)
);
CREATE INDEX stock_alerts_customer ON stock_alerts (customer_key);
CREATE TABLE reminders (
    kind TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, customer_key, subject)
);
CREATE INDEX reminders_sent ON reminders (kind, sent_at);
CREATE INDEX reminders_customer ON reminders (customer_key);
CREATE TABLE message_counts (
    day DATE NOT NULL,
    channel TEXT NOT NULL,
    billing TEXT NOT NULL,
    messages BIGINT NOT NULL,
    PRIMARY KEY (day, channel, billing)
);
CREATE TABLE order_messages (
    number TEXT NOT NULL,
    channel TEXT NOT NULL,
    billing TEXT NOT NULL,
    messages BIGINT NOT NULL,
    PRIMARY KEY (number, channel, billing)
)
""",
    ),
    (
        5,
        """
ALTER TABLE conversations ADD COLUMN handover_since TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN assigned_to TEXT;
ALTER TABLE conversations ADD COLUMN assigned_at TIMESTAMPTZ;
CREATE INDEX conversations_handover ON conversations (handover_since) WHERE handover_since IS NOT NULL;
ALTER TABLE outbox ADD COLUMN author TEXT;
CREATE INDEX inbox_customer ON inbox (customer_key, id);
CREATE INDEX outbox_customer ON outbox (customer_key, id);
CREATE TABLE staff (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    session_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_subject ON audit (subject)
""",
    ),
]
