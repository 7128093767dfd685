-- Password-reset tickets (portcullis_core::password_reset): stored only as the
-- SHA-256 hash of the ticket, single use (consumed_at), expiring (expires_at).
-- Times are Unix seconds. Keep in step with migrations/postgres/0004_password_resets.sql.

CREATE TABLE password_resets (
    tenant_id    TEXT    NOT NULL,
    ticket_hash  TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER,
    PRIMARY KEY (tenant_id, ticket_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Tickets of a user made since a time (the per-user hourly limit), and the user's
-- other tickets spent by a successful reset.
CREATE INDEX password_resets_by_user ON password_resets (tenant_id, user_id, created_at);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);
CREATE INDEX password_resets_by_consumption ON password_resets (consumed_at);
