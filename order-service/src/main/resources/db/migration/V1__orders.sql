-- Orders and their lines. Money is numeric, never a float.
CREATE TABLE orders (
    id                 uuid          PRIMARY KEY,
    customer_id        varchar(100)  NOT NULL,
    status             varchar(16)   NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    version            bigint        NOT NULL CHECK (version >= 1),
    currency           char(3)       NOT NULL,
    total              numeric(17,2) NOT NULL CHECK (total >= 0),
    created_at         timestamptz   NOT NULL,
    updated_at         timestamptz   NOT NULL,
    -- When fulfilment should move the order on; NULL once the order is final. Keeping this in the table
    -- (not in an in-memory timer) is what lets fulfilment survive restarts and run on any instance.
    next_transition_at timestamptz
);

CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, id);
CREATE INDEX orders_by_customer_status ON orders (customer_id, status, created_at DESC, id);
CREATE INDEX orders_due ON orders (next_transition_at) WHERE next_transition_at IS NOT NULL;

CREATE TABLE order_items (
    order_id   uuid          NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no    int           NOT NULL,
    sku        varchar(64)   NOT NULL,
    quantity   int           NOT NULL CHECK (quantity > 0),
    unit_price numeric(15,2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_no)
);

-- One row per (customer, Idempotency-Key): the primary key is what makes two concurrent requests with
-- the same key create one order, whichever instance they reach.
CREATE TABLE idempotency_keys (
    customer_id     varchar(100) NOT NULL,
    idempotency_key varchar(200) NOT NULL,
    request_hash    char(64)     NOT NULL,
    order_id        uuid         NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, idempotency_key)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Transactional outbox: written in the same transaction as the change it describes, published later.
CREATE TABLE outbox (
    id           bigserial    PRIMARY KEY,
    event_id     uuid         NOT NULL UNIQUE,
    order_id     uuid         NOT NULL,
    event_type   varchar(64)  NOT NULL,
    payload      text         NOT NULL,
    traceparent  varchar(55),
    created_at   timestamptz  NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
