-- The audit log (portcullis_core::audit): Auth0-style log events. log_id starts with the
-- zero-padded date, so ordering by it is ordering by date. Keep in step with
-- migrations/postgres/0010_log_events.sql.
CREATE TABLE log_events (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    log_id       TEXT    NOT NULL,
    date         INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    client_id    TEXT,
    ip           TEXT,
    user_agent   TEXT,
    user_id      TEXT,
    user_name    TEXT,
    details      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, log_id)
);

CREATE INDEX log_events_by_user ON log_events (tenant_id, user_id, log_id);
CREATE INDEX log_events_by_type ON log_events (tenant_id, type, log_id);
CREATE INDEX log_events_by_client ON log_events (tenant_id, client_id, log_id);
CREATE INDEX log_events_by_date ON log_events (date);
