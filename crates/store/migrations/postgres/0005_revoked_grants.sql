-- Grants (an authorization code and the refresh-token family it started) whose access
-- tokens /userinfo and /oauth/introspect refuse: the code was replayed or the family
-- revoked (portcullis_core::revocation). Kept until no access token of the grant lives.
CREATE TABLE revoked_grants (
    tenant_id   TEXT    NOT NULL,
    grant_id    TEXT    NOT NULL,
    revoked_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, grant_id)
);

CREATE INDEX revoked_grants_by_expiry ON revoked_grants (expires_at);
