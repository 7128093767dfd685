-- Email-verification tickets (portcullis_core::email_verification), made at signup when
-- the tenant's signup_requires_verification setting is on: stored only as the SHA-256
-- hash of the ticket, single use (consumed_at), expiring (expires_at). login_state is
-- the sealed login transaction the signup came from (ciphertext), if any.
-- Times are Unix seconds (BIGINT).
-- Keep in step with migrations/sqlite/0006_email_verifications.sql.

CREATE TABLE email_verifications (
    tenant_id    TEXT    NOT NULL,
    ticket_hash  TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    login_state  TEXT,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    consumed_at  BIGINT,
    PRIMARY KEY (tenant_id, ticket_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX email_verifications_by_user ON email_verifications (tenant_id, user_id);
CREATE INDEX email_verifications_by_expiry ON email_verifications (expires_at);
CREATE INDEX email_verifications_by_consumption ON email_verifications (consumed_at);
