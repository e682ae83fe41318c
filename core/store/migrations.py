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

# The message path's fused steps as functions: one round trip each, whose statements run one after
# another in one transaction, each seeing what the ones before it wrote (a single statement's parts
# see only the snapshot it started from). See PostgresStore.receive and .finish_turn.
_LEASE_TAKE = """
    INSERT INTO leases AS l (name, owner, expires_at)
    VALUES ({name}, {owner}, clock_timestamp() + make_interval(secs => {seconds}))
    ON CONFLICT (name) DO UPDATE SET
        owner = CASE WHEN l.owner = {owner} OR l.expires_at <= clock_timestamp() THEN {owner} ELSE l.owner END,
        expires_at = CASE WHEN l.owner = {owner} OR l.expires_at <= clock_timestamp()
                          THEN excluded.expires_at ELSE l.expires_at END,
        wanted = CASE WHEN l.owner = {owner} THEN l.wanted ELSE l.expires_at > clock_timestamp() END,
        taken_over = l.owner <> {owner} AND l.expires_at <= clock_timestamp()
    RETURNING l.owner = {owner}, l.taken_over"""

POSTGRES_MIGRATIONS.append(
    (
        6,
        """
ALTER TABLE leases ADD COLUMN taken_over BOOLEAN NOT NULL DEFAULT FALSE;

CREATE FUNCTION chatshop_receive(
    p_channel TEXT, p_message_id TEXT, p_customer TEXT, p_payload TEXT, p_at TIMESTAMPTZ,
    p_lease TEXT, p_owner TEXT, p_seconds DOUBLE PRECISION,
    OUT o_added BOOLEAN, OUT o_held BOOLEAN, OUT o_taken_over BOOLEAN, OUT o_id BIGINT, OUT o_payload TEXT,
    OUT o_state TEXT, OUT o_version INTEGER, OUT o_last_inbound_at TIMESTAMPTZ
) LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
BEGIN
    o_held := false;
    o_taken_over := false;
    INSERT INTO inbox (channel, message_id, customer_key, payload, received_at)
    VALUES (p_channel, p_message_id, p_customer, p_payload, p_at)
    ON CONFLICT (channel, message_id) DO NOTHING RETURNING id INTO new_id;
    o_added := new_id IS NOT NULL;
    IF NOT o_added THEN
        RETURN;
    END IF;
    INSERT INTO conversations (customer_key, state, version, last_inbound_at) VALUES (p_customer, '{}', 0, p_at)
    ON CONFLICT (customer_key) DO UPDATE SET last_inbound_at = excluded.last_inbound_at;
    {TAKE_TURN} INTO o_held, o_taken_over;
    IF NOT o_held THEN
        RETURN;
    END IF;
    -- the message just added is usually the first: its text is not sent back (the caller has it)
    SELECT i.id, CASE WHEN i.id = new_id THEN NULL ELSE i.payload END INTO o_id, o_payload
    FROM inbox i WHERE i.customer_key = p_customer AND i.handled_at IS NULL ORDER BY i.id LIMIT 1;
    SELECT c.state, c.version, c.last_inbound_at INTO o_state, o_version, o_last_inbound_at
    FROM conversations c WHERE c.customer_key = p_customer;
END
$$;

CREATE FUNCTION chatshop_finish_turn(
    p_customer TEXT, p_inbox_id BIGINT, p_state TEXT, p_at TIMESTAMPTZ, p_version INTEGER, p_replies TEXT[],
    p_lease TEXT, p_owner TEXT, p_send_lease TEXT, p_send_owner TEXT, p_seconds DOUBLE PRECISION,
    p_now TIMESTAMPTZ,
    OUT o_ok BOOLEAN, OUT o_id BIGINT, OUT o_payload TEXT, OUT o_last_inbound_at TIMESTAMPTZ,
    OUT o_wanted BOOLEAN, OUT o_send_held BOOLEAN, OUT o_send_wanted BOOLEAN, OUT o_taken_over BOOLEAN,
    OUT o_queued BIGINT[], OUT o_ids BIGINT[], OUT o_payloads TEXT[], OUT o_attempts INTEGER[],
    OUT o_next_attempts TIMESTAMPTZ[], OUT o_created TIMESTAMPTZ[]
) LANGUAGE plpgsql AS $$
DECLARE
    first_due TIMESTAMPTZ;
    first_id BIGINT;
BEGIN
    o_wanted := false;
    o_send_held := false;
    o_send_wanted := false;
    o_taken_over := false;
    -- the turn: saved only on the version it read
    UPDATE conversations SET state = p_state, version = version + 1, updated_at = p_at
    WHERE customer_key = p_customer AND version = p_version;
    o_ok := FOUND;
    IF NOT o_ok AND p_version = 0 THEN
        INSERT INTO conversations (customer_key, state, version, updated_at) VALUES (p_customer, p_state, 1, p_at)
        ON CONFLICT (customer_key) DO NOTHING;
        o_ok := FOUND;
    END IF;
    IF NOT o_ok THEN
        RETURN;
    END IF;
    UPDATE inbox SET handled_at = p_at WHERE id = p_inbox_id;
    -- the customer wrote again: replies held for a retry are due now
    UPDATE outbox SET next_attempt_at = NULL
    WHERE customer_key = p_customer AND status = 'pending' AND next_attempt_at IS NOT NULL;
    WITH queued AS (
        INSERT INTO outbox (customer_key, payload, created_at)
        SELECT p_customer, m.payload, p_at FROM unnest(p_replies) WITH ORDINALITY AS m(payload, n) ORDER BY m.n
        RETURNING id
    )
    SELECT COALESCE(array_agg(id ORDER BY id), '{}') INTO o_queued FROM queued;
    -- the customer's next message, or the turn lease back
    SELECT i.id, i.payload INTO o_id, o_payload
    FROM inbox i WHERE i.customer_key = p_customer AND i.handled_at IS NULL ORDER BY i.id LIMIT 1;
    IF o_id IS NOT NULL THEN
        SELECT c.last_inbound_at INTO o_last_inbound_at FROM conversations c WHERE c.customer_key = p_customer;
    ELSE
        DELETE FROM leases WHERE name = p_lease AND owner = p_owner RETURNING wanted INTO o_wanted;
        o_wanted := COALESCE(o_wanted, false);
    END IF;
    -- the replies, ready to send under the send lease (unless another sender holds it)
    {TAKE_SEND} INTO o_send_held, o_taken_over;
    IF NOT o_send_held THEN
        RETURN;
    END IF;
    SELECT o.id, o.next_attempt_at INTO first_id, first_due
    FROM outbox o WHERE o.customer_key = p_customer AND o.status = 'pending' ORDER BY o.id LIMIT 1;
    IF first_id IS NULL OR (first_due IS NOT NULL AND first_due > p_now) THEN
        DELETE FROM leases WHERE name = p_send_lease AND owner = p_send_owner RETURNING wanted INTO o_send_wanted;
        o_send_wanted := COALESCE(o_send_wanted, false);
        o_send_held := false;
        RETURN;
    END IF;
    SELECT array_agg(o.id ORDER BY o.id),
           array_agg(CASE WHEN o.id = ANY (o_queued) THEN NULL ELSE o.payload END ORDER BY o.id),
           array_agg(o.attempts ORDER BY o.id), array_agg(o.next_attempt_at ORDER BY o.id),
           array_agg(o.created_at ORDER BY o.id)
    INTO o_ids, o_payloads, o_attempts, o_next_attempts, o_created
    FROM outbox o WHERE o.customer_key = p_customer AND o.status = 'pending';
END
$$;

-- A rate shared by all workers (see Store.reserve_sends): the time of each budget's next free slot.
CREATE TABLE send_budgets (
    name TEXT PRIMARY KEY,
    next_slot TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION chatshop_reserve_sends(
    p_name TEXT, p_interval DOUBLE PRECISION, p_horizon DOUBLE PRECISION, p_wanted INTEGER, p_observed INTEGER,
    p_slack DOUBLE PRECISION, OUT o_delay DOUBLE PRECISION, OUT o_granted INTEGER
) LANGUAGE plpgsql AS $$
DECLARE
    now_at TIMESTAMPTZ := clock_timestamp();
    step INTERVAL := make_interval(secs => p_interval);
    start_at TIMESTAMPTZ;
BEGIN
    INSERT INTO send_budgets (name, next_slot) VALUES (p_name, now_at) ON CONFLICT (name) DO NOTHING;
    SELECT GREATEST(next_slot, now_at - make_interval(secs => p_slack)) + p_observed * step INTO start_at
    FROM send_budgets WHERE name = p_name FOR UPDATE;
    o_granted := 0;
    IF start_at <= now_at + make_interval(secs => p_horizon) THEN
        o_granted := LEAST(p_wanted, floor(extract(epoch FROM (now_at + make_interval(secs => p_horizon) - start_at))
                                           / p_interval)::INTEGER + 1);
    END IF;
    UPDATE send_budgets SET next_slot = start_at + o_granted * step WHERE name = p_name;
    o_delay := extract(epoch FROM (start_at - now_at));
END
$$;

-- An order placed in one step, all or nothing (an exception undoes every part): an order of the same
-- checkout returned instead; else each line's stock taken (products in a fixed order, so two orders
-- never deadlock; shortages raised together as 'CS001' with their stock left as JSON), each claim
-- counted against its limit (keys in a fixed order; a used-up one raised as 'CS002' naming it), and
-- the order, its history and its claims written under the first candidate number no order has.
CREATE FUNCTION chatshop_place_order(
    p_numbers TEXT[], p_customer TEXT, p_status TEXT, p_currency TEXT, p_method TEXT, p_placement TEXT,
    p_details TEXT, p_at TIMESTAMPTZ, p_ref TEXT, p_url TEXT, p_expires TIMESTAMPTZ, p_total BIGINT,
    p_products TEXT[], p_quantities INTEGER[], p_claim_keys TEXT[], p_claim_limits BIGINT[],
    OUT o_number TEXT, OUT o_placed BOOLEAN
) LANGUAGE plpgsql AS $$
DECLARE
    candidate TEXT;
    line RECORD;
    claim RECORD;
    left_stock INTEGER;
    shortages JSONB := '{}';
BEGIN
    o_placed := false;
    SELECT number INTO o_number FROM orders WHERE placement_key = p_placement;
    IF FOUND THEN
        RETURN;
    END IF;
    FOR line IN
        SELECT w.p, w.q FROM unnest(p_products, p_quantities) WITH ORDINALITY AS w(p, q, n) ORDER BY w.p, w.n
    LOOP
        UPDATE inventory SET stock = stock - line.q
        WHERE product_id = line.p AND stock IS NOT NULL AND stock >= line.q;
        IF NOT FOUND THEN
            SELECT stock INTO left_stock FROM inventory WHERE product_id = line.p;
            IF left_stock IS NOT NULL THEN
                shortages := shortages || jsonb_build_object(line.p, left_stock);
            END IF;
        END IF;
    END LOOP;
    IF shortages <> '{}' THEN
        RAISE EXCEPTION 'out of stock' USING ERRCODE = 'CS001', DETAIL = shortages::TEXT;
    END IF;
    FOR claim IN SELECT c.k, c.l FROM unnest(p_claim_keys, p_claim_limits) AS c(k, l) ORDER BY c.k LOOP
        INSERT INTO claims (key) VALUES (claim.k) ON CONFLICT DO NOTHING;
        UPDATE claims SET used = used + 1 WHERE key = claim.k AND (claim.l IS NULL OR used < claim.l);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'limit reached' USING ERRCODE = 'CS002', DETAIL = claim.k;
        END IF;
    END LOOP;
    o_number := NULL;
    FOREACH candidate IN ARRAY p_numbers LOOP
        IF NOT EXISTS (SELECT 1 FROM orders WHERE number = candidate) THEN
            o_number := candidate;
            EXIT;
        END IF;
    END LOOP;
    IF o_number IS NULL THEN
        RAISE EXCEPTION 'no free order number' USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO orders (number, customer_key, status, currency, payment_method, placement_key, details,
                        created_at, paid_minor, refunded_minor, payment_ref, payment_url, payment_expires_at,
                        total_minor, updated_at)
    VALUES (o_number, p_customer, p_status, p_currency, p_method, p_placement, p_details, p_at, 0, 0,
            p_ref, p_url, p_expires, p_total, p_at);
    INSERT INTO order_history (number, at, old, new, note) VALUES (o_number, p_at, NULL, p_status, 'placed');
    INSERT INTO order_claims (number, key) SELECT o_number, k FROM unnest(p_claim_keys) AS k ON CONFLICT DO NOTHING;
    o_placed := true;
END
$$;
""".replace("{TAKE_TURN}", _LEASE_TAKE.format(name="p_lease", owner="p_owner", seconds="p_seconds")).replace(
            "{TAKE_SEND}", _LEASE_TAKE.format(name="p_send_lease", owner="p_send_owner", seconds="p_seconds")
        ),
    )
)

# The turn's commit on the message path keeps the hand-over's column, as commit_turn does (the team
# inbox lists conversations by it; migration 6's function left it as it was), and takes fewer steps:
# the message handled, held replies made due and the new ones queued in one statement, and the due
# replies read in one. The twelve-argument function stays for workers of the version before.
# Recording a message reads the turn's first message and its conversation in one statement.
POSTGRES_MIGRATIONS.append(
    (
        7,
        """
CREATE OR REPLACE FUNCTION chatshop_receive(
    p_channel TEXT, p_message_id TEXT, p_customer TEXT, p_payload TEXT, p_at TIMESTAMPTZ,
    p_lease TEXT, p_owner TEXT, p_seconds DOUBLE PRECISION,
    OUT o_added BOOLEAN, OUT o_held BOOLEAN, OUT o_taken_over BOOLEAN, OUT o_id BIGINT, OUT o_payload TEXT,
    OUT o_state TEXT, OUT o_version INTEGER, OUT o_last_inbound_at TIMESTAMPTZ
) LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
BEGIN
    o_held := false;
    o_taken_over := false;
    INSERT INTO inbox (channel, message_id, customer_key, payload, received_at)
    VALUES (p_channel, p_message_id, p_customer, p_payload, p_at)
    ON CONFLICT (channel, message_id) DO NOTHING RETURNING id INTO new_id;
    o_added := new_id IS NOT NULL;
    IF NOT o_added THEN
        RETURN;
    END IF;
    INSERT INTO conversations (customer_key, state, version, last_inbound_at) VALUES (p_customer, '{}', 0, p_at)
    ON CONFLICT (customer_key) DO UPDATE SET last_inbound_at = excluded.last_inbound_at;
    {TAKE_TURN} INTO o_held, o_taken_over;
    IF NOT o_held THEN
        RETURN;
    END IF;
    -- the message just added is usually the first: its text is not sent back (the caller has it)
    SELECT i.id, CASE WHEN i.id = new_id THEN NULL ELSE i.payload END, c.state, c.version, c.last_inbound_at
    INTO o_id, o_payload, o_state, o_version, o_last_inbound_at
    FROM conversations c LEFT JOIN LATERAL (
        SELECT id, payload FROM inbox WHERE customer_key = p_customer AND handled_at IS NULL ORDER BY id LIMIT 1
    ) i ON true
    WHERE c.customer_key = p_customer;
END
$$;

CREATE FUNCTION chatshop_finish_turn(
    p_customer TEXT, p_inbox_id BIGINT, p_state TEXT, p_at TIMESTAMPTZ, p_version INTEGER, p_replies TEXT[],
    p_lease TEXT, p_owner TEXT, p_send_lease TEXT, p_send_owner TEXT, p_seconds DOUBLE PRECISION,
    p_now TIMESTAMPTZ, p_handover TIMESTAMPTZ,
    OUT o_ok BOOLEAN, OUT o_id BIGINT, OUT o_payload TEXT, OUT o_last_inbound_at TIMESTAMPTZ,
    OUT o_wanted BOOLEAN, OUT o_send_held BOOLEAN, OUT o_send_wanted BOOLEAN, OUT o_taken_over BOOLEAN,
    OUT o_queued BIGINT[], OUT o_ids BIGINT[], OUT o_payloads TEXT[], OUT o_attempts INTEGER[],
    OUT o_next_attempts TIMESTAMPTZ[], OUT o_created TIMESTAMPTZ[]
) LANGUAGE plpgsql AS $$
BEGIN
    o_wanted := false;
    o_send_held := false;
    o_send_wanted := false;
    o_taken_over := false;
    -- the turn: saved only on the version it read; a hand-over that ends takes its assignee with it
    UPDATE conversations SET state = p_state, version = version + 1, updated_at = p_at, handover_since = p_handover,
        assigned_to = CASE WHEN p_handover IS NULL AND handover_since IS NOT NULL THEN NULL ELSE assigned_to END
    WHERE customer_key = p_customer AND version = p_version;
    o_ok := FOUND;
    IF NOT o_ok AND p_version = 0 THEN
        INSERT INTO conversations (customer_key, state, version, updated_at, handover_since)
        VALUES (p_customer, p_state, 1, p_at, p_handover)
        ON CONFLICT (customer_key) DO NOTHING;
        o_ok := FOUND;
    END IF;
    IF NOT o_ok THEN
        RETURN;
    END IF;
    -- the message handled; the customer wrote again, so replies held for a retry are due now; the
    -- turn's replies queued in order (the parts touch different rows: one statement)
    WITH handled AS (
        UPDATE inbox SET handled_at = p_at WHERE id = p_inbox_id
    ), released AS (
        UPDATE outbox SET next_attempt_at = NULL
        WHERE customer_key = p_customer AND status = 'pending' AND next_attempt_at IS NOT NULL
    ), queued AS (
        INSERT INTO outbox (customer_key, payload, created_at)
        SELECT p_customer, m.payload, p_at FROM unnest(p_replies) WITH ORDINALITY AS m(payload, n) ORDER BY m.n
        RETURNING id
    )
    SELECT COALESCE(array_agg(id ORDER BY id), '{}') INTO o_queued FROM queued;
    -- the customer's next message, or the turn lease back
    SELECT i.id, i.payload INTO o_id, o_payload
    FROM inbox i WHERE i.customer_key = p_customer AND i.handled_at IS NULL ORDER BY i.id LIMIT 1;
    IF o_id IS NOT NULL THEN
        SELECT c.last_inbound_at INTO o_last_inbound_at FROM conversations c WHERE c.customer_key = p_customer;
    ELSE
        DELETE FROM leases WHERE name = p_lease AND owner = p_owner RETURNING wanted INTO o_wanted;
        o_wanted := COALESCE(o_wanted, false);
    END IF;
    -- the replies, ready to send under the send lease (unless another sender holds it)
    {TAKE_SEND} INTO o_send_held, o_taken_over;
    IF NOT o_send_held THEN
        RETURN;
    END IF;
    SELECT array_agg(o.id ORDER BY o.id),
           array_agg(CASE WHEN o.id = ANY (o_queued) THEN NULL ELSE o.payload END ORDER BY o.id),
           array_agg(o.attempts ORDER BY o.id), array_agg(o.next_attempt_at ORDER BY o.id),
           array_agg(o.created_at ORDER BY o.id)
    INTO o_ids, o_payloads, o_attempts, o_next_attempts, o_created
    FROM outbox o WHERE o.customer_key = p_customer AND o.status = 'pending';
    -- nothing pending, or the first waits for its retry (the ones after it wait behind it)
    IF o_ids IS NULL OR (o_next_attempts[1] IS NOT NULL AND o_next_attempts[1] > p_now) THEN
        DELETE FROM leases WHERE name = p_send_lease AND owner = p_send_owner RETURNING wanted INTO o_send_wanted;
        o_send_wanted := COALESCE(o_send_wanted, false);
        o_send_held := false;
        o_ids := NULL;
        o_payloads := NULL;
        o_attempts := NULL;
        o_next_attempts := NULL;
        o_created := NULL;
    END IF;
END
$$;
""".replace("{TAKE_TURN}", _LEASE_TAKE.format(name="p_lease", owner="p_owner", seconds="p_seconds")).replace(
            "{TAKE_SEND}", _LEASE_TAKE.format(name="p_send_lease", owner="p_send_owner", seconds="p_seconds")
        ),
    )
)

POSTGRES_MIGRATIONS.append(
    (
        8,
        """
-- WhatsApp's pair rate shared by all workers (see chatshop/store/pair_rate.py and Store.pace_pair):
-- per pair, the current burst's start, its messages and when the borrowed quota is paid back.
CREATE TABLE pair_budgets (
    name TEXT PRIMARY KEY,
    burst_start TIMESTAMPTZ NOT NULL,
    burst_count INTEGER NOT NULL,
    due TIMESTAMPTZ NOT NULL
);
CREATE INDEX pair_budgets_due ON pair_budgets (due);

CREATE FUNCTION chatshop_pace_pair(
    p_name TEXT, p_interval DOUBLE PRECISION, p_window DOUBLE PRECISION, p_burst INTEGER,
    p_guard DOUBLE PRECISION, OUT o_wait DOUBLE PRECISION
) LANGUAGE plpgsql AS $$
DECLARE
    now_at TIMESTAMPTZ := clock_timestamp();
    pair pair_budgets%ROWTYPE;
BEGIN
    o_wait := 0;
    INSERT INTO pair_budgets (name, burst_start, burst_count, due)
    VALUES (p_name, now_at, 1, now_at + make_interval(secs => p_interval + p_guard))
    ON CONFLICT (name) DO NOTHING;
    IF FOUND THEN
        IF random() < 0.001 THEN  -- now and then, forget the pairs that owe nothing for an hour
            DELETE FROM pair_budgets WHERE due < now_at - interval '1 hour';
        END IF;
        RETURN;
    END IF;
    SELECT * INTO pair FROM pair_budgets WHERE name = p_name FOR UPDATE;
    IF now_at >= pair.due THEN
        UPDATE pair_budgets SET burst_start = now_at, burst_count = 1,
                                due = now_at + make_interval(secs => p_interval + p_guard)
        WHERE name = p_name;
    ELSIF now_at < pair.burst_start + make_interval(secs => p_window - p_guard) AND pair.burst_count < p_burst THEN
        UPDATE pair_budgets SET burst_count = burst_count + 1, due = due + make_interval(secs => p_interval)
        WHERE name = p_name;
    ELSE
        o_wait := extract(epoch FROM (pair.due - now_at));
    END IF;
END
$$;
""",
    )
)

# A reply's send recorded (and counted) and the customer's next due replies read, or the send lease
# given back when none is due: the step PostgresStore.sent_then_pending_or_release took as one
# statement, as a function, so that several senders' steps go in one statement (store/batches.py).
POSTGRES_MIGRATIONS.append(
    (
        9,
        """
CREATE FUNCTION chatshop_sent_then_pending(
    p_id BIGINT, p_provider_id TEXT, p_sent_at TIMESTAMPTZ, p_customer TEXT, p_lease TEXT, p_owner TEXT,
    p_now TIMESTAMPTZ, p_day DATE, p_channel TEXT, p_billing TEXT, p_order TEXT,
    OUT o_wanted BOOLEAN, OUT o_ids BIGINT[], OUT o_payloads TEXT[], OUT o_attempts INTEGER[],
    OUT o_next_attempts TIMESTAMPTZ[], OUT o_created TIMESTAMPTZ[]
) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outbox SET status = 'sent', provider_message_id = p_provider_id, sent_at = p_sent_at,
        attempts = attempts + 1, error = NULL
    WHERE id = p_id;
    IF p_billing IS NOT NULL THEN
        INSERT INTO message_counts (day, channel, billing, messages) VALUES (p_day, p_channel, p_billing, 1)
        ON CONFLICT (day, channel, billing) DO UPDATE SET messages = message_counts.messages + 1;
        IF p_order IS NOT NULL THEN
            INSERT INTO order_messages (number, channel, billing, messages) VALUES (p_order, p_channel, p_billing, 1)
            ON CONFLICT (number, channel, billing) DO UPDATE SET messages = order_messages.messages + 1;
        END IF;
    END IF;
    SELECT array_agg(o.id ORDER BY o.id), array_agg(o.payload ORDER BY o.id), array_agg(o.attempts ORDER BY o.id),
           array_agg(o.next_attempt_at ORDER BY o.id), array_agg(o.created_at ORDER BY o.id)
    INTO o_ids, o_payloads, o_attempts, o_next_attempts, o_created
    FROM outbox o WHERE o.customer_key = p_customer AND o.status = 'pending';
    -- nothing pending, or the first waits for its retry (the ones after it wait behind it): released
    IF o_ids IS NULL OR (o_next_attempts[1] IS NOT NULL AND o_next_attempts[1] > p_now) THEN
        DELETE FROM leases WHERE name = p_lease AND owner = p_owner RETURNING wanted INTO o_wanted;
        o_wanted := COALESCE(o_wanted, false);
        o_ids := NULL;
        o_payloads := NULL;
        o_attempts := NULL;
        o_next_attempts := NULL;
        o_created := NULL;
    END IF;
END
$$;
""",
    )
)

# Every worker keeps the stock it read (store/stock_cache.py); the database tells them which
# products changed as each change commits, whoever made it (an order, a restock, a staff edit, the
# shop's own SQL). One notice a statement: the changed ids as a JSON array, or JSON null (any may
# have changed) for a statement that changed many, or for TRUNCATE. NOTIFY's payload is at most
# 8,000 bytes.
POSTGRES_MIGRATIONS.append(
    (
        10,
        """
CREATE FUNCTION chatshop_inventory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids TEXT;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        ids := 'null';
    ELSIF (SELECT count(*) FROM changed) > 100 THEN
        ids := 'null';
    ELSE
        SELECT json_agg(DISTINCT product_id)::text INTO ids FROM changed;
        IF ids IS NULL THEN
            RETURN NULL;  -- the statement changed nothing
        ELSIF octet_length(ids) > 7900 THEN
            ids := 'null';
        END IF;
    END IF;
    PERFORM pg_notify('chatshop_inventory', ids);
    RETURN NULL;
END
$$;
CREATE TRIGGER chatshop_inventory_inserted AFTER INSERT ON inventory
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chatshop_inventory_changed();
CREATE TRIGGER chatshop_inventory_updated AFTER UPDATE ON inventory
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chatshop_inventory_changed();
CREATE TRIGGER chatshop_inventory_deleted AFTER DELETE ON inventory
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chatshop_inventory_changed();
CREATE TRIGGER chatshop_inventory_truncated AFTER TRUNCATE ON inventory
    FOR EACH STATEMENT EXECUTE FUNCTION chatshop_inventory_changed();
""",
    )
)

# An order is never placed for a product the shop has taken off sale, not even one switched off
# after the checkout read it: the order's products' rows are locked (in product order, as
# chatshop_place_order takes them, so that orders and staff edits queue rather than deadlock) and a
# product that is off counts as sold out (a shortage of 0). The same checkout placed again still
# answers its order, whatever changed since. chatshop_place_order stays for workers of the version
# before.
POSTGRES_MIGRATIONS.append(
    (
        11,
        """
CREATE FUNCTION chatshop_place_offered_order(
    p_numbers TEXT[], p_customer TEXT, p_status TEXT, p_currency TEXT, p_method TEXT, p_placement TEXT,
    p_details TEXT, p_at TIMESTAMPTZ, p_ref TEXT, p_url TEXT, p_expires TIMESTAMPTZ, p_total BIGINT,
    p_products TEXT[], p_quantities INTEGER[], p_claim_keys TEXT[], p_claim_limits BIGINT[],
    OUT o_number TEXT, OUT o_placed BOOLEAN
) LANGUAGE plpgsql AS $$
DECLARE
    off JSONB;
BEGIN
    o_placed := false;
    SELECT number INTO o_number FROM orders WHERE placement_key = p_placement;
    IF FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM inventory WHERE product_id = ANY(p_products) ORDER BY product_id FOR NO KEY UPDATE;
    SELECT jsonb_object_agg(product_id, 0) INTO off FROM inventory WHERE product_id = ANY(p_products) AND NOT active;
    IF off IS NOT NULL THEN
        RAISE EXCEPTION 'out of stock' USING ERRCODE = 'CS001', DETAIL = off::TEXT;
    END IF;
    SELECT placed.o_number, placed.o_placed INTO o_number, o_placed
    FROM chatshop_place_order(p_numbers, p_customer, p_status, p_currency, p_method, p_placement, p_details, p_at,
                              p_ref, p_url, p_expires, p_total, p_products, p_quantities, p_claim_keys,
                              p_claim_limits) AS placed;
END
$$;
""",
    )
)

# Credit notes: the document that amends an issued invoice when its order is refunded (in full or in
# part) or comes back undelivered (India's CGST Act s.34, the EU VAT Directive art. 219). Numbered
# without gaps per year in a series of their own, as invoices are; ``credited_minor`` is what the
# order's invoice is credited in all once the note is issued, so the same refund told twice (a
# retried hook, a second worker) finds it taken and issues nothing.
_CREDIT_NOTES = """
CREATE TABLE credit_note_counters (
    year TEXT PRIMARY KEY,
    last {int} NOT NULL
);
CREATE TABLE credit_notes (
    number TEXT PRIMARY KEY,
    order_number TEXT NOT NULL REFERENCES invoices (order_number),
    credited_minor {int} NOT NULL,
    year TEXT NOT NULL,
    seq {int} NOT NULL,
    token TEXT NOT NULL UNIQUE,
    issued_at {time} NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (order_number, credited_minor),
    UNIQUE (year, seq)
)
"""
SQLITE_MIGRATIONS.append((6, _CREDIT_NOTES.format(int="INTEGER", time="TEXT")))
POSTGRES_MIGRATIONS.append((12, _CREDIT_NOTES.format(int="BIGINT", time="TIMESTAMPTZ")))
