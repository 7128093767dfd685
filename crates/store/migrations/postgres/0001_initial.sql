-- Tenants, applications, APIs, client grants and signing keys.
-- Times are Unix seconds (BIGINT); JSON documents are JSONB.
-- `seq` columns keep "oldest first" in insertion order when created_at ties
-- (SQLite uses its rowid for the same purpose).
-- Keep in step with migrations/sqlite/0001_initial.sql.

CREATE TABLE tenants (
    id          TEXT   NOT NULL PRIMARY KEY,
    settings    JSONB  NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE applications (
    tenant_id                   TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id                   TEXT   NOT NULL,
    name                        TEXT   NOT NULL,
    app_type                    TEXT   NOT NULL,
    client_secret_hash          TEXT,
    token_endpoint_auth_method  TEXT   NOT NULL,
    callbacks                   JSONB  NOT NULL,
    allowed_logout_urls         JSONB  NOT NULL,
    web_origins                 JSONB  NOT NULL,
    grant_types                 JSONB  NOT NULL,
    created_at                  BIGINT NOT NULL,
    seq                         BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (tenant_id, client_id)
);

CREATE TABLE resource_servers (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    identifier            TEXT    NOT NULL,
    scopes                JSONB   NOT NULL,
    signing_alg           TEXT    NOT NULL,
    token_lifetime        BIGINT  NOT NULL,
    allow_offline_access  BOOLEAN NOT NULL,
    enforce_policies      BOOLEAN NOT NULL,
    token_dialect         TEXT    NOT NULL,
    is_system             BOOLEAN NOT NULL,
    created_at            BIGINT  NOT NULL,
    seq                   BIGINT  GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier)
);

CREATE TABLE client_grants (
    tenant_id   TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT   NOT NULL,
    client_id   TEXT   NOT NULL,
    audience    TEXT   NOT NULL,
    scope       JSONB  NOT NULL,
    created_at  BIGINT NOT NULL,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id, audience),
    FOREIGN KEY (tenant_id, client_id)
        REFERENCES applications (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, audience)
        REFERENCES resource_servers (tenant_id, identifier) ON DELETE CASCADE
);

CREATE TABLE signing_keys (
    tenant_id           TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kid                 TEXT   NOT NULL,
    alg                 TEXT   NOT NULL,
    public_jwk          JSONB  NOT NULL,
    sealed_private_key  BYTEA  NOT NULL,
    created_at          BIGINT NOT NULL,
    activates_at        BIGINT NOT NULL,
    revoked_at          BIGINT,
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (tenant_id, kid)
);

CREATE INDEX signing_keys_by_activation ON signing_keys (tenant_id, activates_at, created_at);
