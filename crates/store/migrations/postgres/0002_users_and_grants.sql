-- Users, roles and permissions; authorization codes, refresh tokens and SSO sessions.
-- Times are Unix seconds (BIGINT); JSON documents are JSONB.
-- Codes, refresh tokens and session ids are stored only as SHA-256 hashes.
-- Keep in step with migrations/sqlite/0002_users_and_grants.sql.

CREATE TABLE users (
    tenant_id         TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id           TEXT    NOT NULL,
    connection        TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    -- Trimmed and Unicode-lowercased `email` (portcullis_core::normalize_email).
    email_normalized  TEXT    NOT NULL,
    email_verified    BOOLEAN NOT NULL,
    name              TEXT    NOT NULL,
    nickname          TEXT    NOT NULL,
    picture           TEXT,
    password_hash     TEXT,
    blocked           BOOLEAN NOT NULL,
    user_metadata     JSONB   NOT NULL,
    app_metadata      JSONB   NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    last_login        BIGINT,
    logins_count      BIGINT  NOT NULL CHECK (logins_count >= 0),
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, email_normalized)
);

CREATE TABLE roles (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE role_permissions (
    tenant_id                   TEXT NOT NULL,
    role_id                     TEXT NOT NULL,
    resource_server_identifier  TEXT NOT NULL,
    permission_name             TEXT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, resource_server_identifier, permission_name),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_server_identifier)
        REFERENCES resource_servers (tenant_id, identifier) ON DELETE CASCADE
);

CREATE INDEX role_permissions_by_api
    ON role_permissions (tenant_id, resource_server_identifier);

CREATE TABLE user_roles (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    role_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX user_roles_by_role ON user_roles (tenant_id, role_id);

CREATE TABLE authorization_codes (
    tenant_id       TEXT    NOT NULL,
    code_hash       TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    redirect_uri    TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    audience        TEXT,
    nonce           TEXT,
    code_challenge  TEXT,
    sid             TEXT    NOT NULL,
    auth_time       BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    consumed_at     BIGINT,
    PRIMARY KEY (tenant_id, code_hash),
    FOREIGN KEY (tenant_id, client_id)
        REFERENCES applications (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
CREATE INDEX authorization_codes_by_user ON authorization_codes (tenant_id, user_id);
CREATE INDEX authorization_codes_by_client ON authorization_codes (tenant_id, client_id);

CREATE TABLE refresh_tokens (
    tenant_id        TEXT    NOT NULL,
    token_hash       TEXT    NOT NULL,
    family_id        TEXT    NOT NULL,
    generation       BIGINT  NOT NULL CHECK (generation >= 0),
    client_id        TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    scope            TEXT    NOT NULL,
    audience         TEXT,
    sid              TEXT,
    -- The code the family came from (not a foreign key: codes are swept long before).
    code_hash        TEXT,
    created_at       BIGINT  NOT NULL,
    -- Absolute expiry of the family (the same on every token of it).
    expires_at       BIGINT  NOT NULL,
    idle_expires_at  BIGINT  NOT NULL,
    consumed_at      BIGINT,
    revoked_at       BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    UNIQUE (tenant_id, family_id, generation),
    FOREIGN KEY (tenant_id, client_id)
        REFERENCES applications (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_by_code ON refresh_tokens (tenant_id, code_hash);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (tenant_id, user_id);
CREATE INDEX refresh_tokens_by_client ON refresh_tokens (tenant_id, client_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);

CREATE TABLE sso_sessions (
    tenant_id       TEXT    NOT NULL,
    id_hash         TEXT    NOT NULL,
    sid             TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    auth_time       BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_active_at  BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    revoked_at      BIGINT,
    PRIMARY KEY (tenant_id, id_hash),
    UNIQUE (tenant_id, sid),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX sso_sessions_by_user ON sso_sessions (tenant_id, user_id);
CREATE INDEX sso_sessions_by_expiry ON sso_sessions (expires_at);
CREATE INDEX sso_sessions_by_revocation ON sso_sessions (revoked_at);
