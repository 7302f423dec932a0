-- One counter row per user. Taking the next sequence number updates this row, so two transactions
-- storing notifications for the same user (on any instance) queue behind each other's row lock: sequence
-- numbers are handed out, and become visible, strictly in order. acked_seq is what the user's clients
-- have acknowledged over WebSocket.
CREATE TABLE user_inbox (
    user_id   varchar(100) PRIMARY KEY,
    last_seq  bigint       NOT NULL CHECK (last_seq >= 0),
    acked_seq bigint       NOT NULL DEFAULT 0 CHECK (acked_seq >= 0)
);

CREATE TABLE notifications (
    user_id         varchar(100) NOT NULL,
    seq             bigint       NOT NULL CHECK (seq >= 1),
    -- The CloudEvent id. The unique key below, not memory, is what makes a redelivered event or one
    -- consumed by two instances at once produce a single notification.
    event_id        uuid         NOT NULL,
    type            varchar(40)  NOT NULL,
    order_id        uuid         NOT NULL,
    status          varchar(16)  NOT NULL,
    previous_status varchar(16),
    order_version   bigint       NOT NULL,
    total           varchar(20)  NOT NULL,
    currency        char(3)      NOT NULL,
    -- [{"sku":…,"quantity":…,"unitPrice":…}] from GetOrder (enriched) or an order.created event; else NULL.
    items           jsonb,
    enriched        boolean      NOT NULL,
    occurred_at     timestamptz  NOT NULL,
    stored_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, seq),
    CONSTRAINT one_notification_per_event_and_user UNIQUE (event_id, user_id)
);

CREATE TABLE webhooks (
    id         uuid          PRIMARY KEY,
    user_id    varchar(100)  NOT NULL,
    url        varchar(2000) NOT NULL,
    -- The Standard Webhooks signing secret (whsec_…). Shown to the user once, at registration.
    secret     varchar(100)  NOT NULL,
    created_at timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX webhooks_by_user ON webhooks (user_id, created_at);

-- One row per (webhook, notification), written in the transaction that stores the notification, so a
-- notification is never stored without its webhook deliveries being due (an outbox for webhooks).
CREATE TABLE webhook_deliveries (
    id              uuid         PRIMARY KEY,
    webhook_id      uuid         NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    user_id         varchar(100) NOT NULL,
    seq             bigint       NOT NULL,
    status          varchar(12)  NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        int          NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (webhook_id, seq),
    FOREIGN KEY (user_id, seq) REFERENCES notifications (user_id, seq) ON DELETE CASCADE
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';

-- The delivery log a user reads: every attempt, with what the receiver answered.
CREATE TABLE webhook_attempts (
    delivery_id     uuid         NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt         int          NOT NULL,
    attempted_at    timestamptz  NOT NULL,
    response_status int,
    error           varchar(500),
    duration_ms     bigint       NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
