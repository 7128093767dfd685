-- Tenants, applications, APIs, client grants and signing keys.
-- Times are Unix seconds; JSON documents are TEXT checked with json_valid.
-- Keep in step with migrations/postgres/0001_initial.sql.

CREATE TABLE tenants (
    id          TEXT    NOT NULL PRIMARY KEY,
    settings    TEXT    NOT NULL CHECK (json_valid(settings)),
    created_at  INTEGER NOT NULL
);

CREATE TABLE applications (
    tenant_id                   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id                   TEXT    NOT NULL,
    name                        TEXT    NOT NULL,
    app_type                    TEXT    NOT NULL,
    client_secret_hash          TEXT,
    token_endpoint_auth_method  TEXT    NOT NULL,
    callbacks                   TEXT    NOT NULL CHECK (json_valid(callbacks)),
    allowed_logout_urls         TEXT    NOT NULL CHECK (json_valid(allowed_logout_urls)),
    web_origins                 TEXT    NOT NULL CHECK (json_valid(web_origins)),
    grant_types                 TEXT    NOT NULL CHECK (json_valid(grant_types)),
    created_at                  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);

CREATE TABLE resource_servers (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    identifier            TEXT    NOT NULL,
    scopes                TEXT    NOT NULL CHECK (json_valid(scopes)),
    signing_alg           TEXT    NOT NULL,
    token_lifetime        INTEGER NOT NULL,
    allow_offline_access  BOOLEAN NOT NULL CHECK (allow_offline_access IN (0, 1)),
    enforce_policies      BOOLEAN NOT NULL CHECK (enforce_policies IN (0, 1)),
    token_dialect         TEXT    NOT NULL,
    is_system             BOOLEAN NOT NULL CHECK (is_system IN (0, 1)),
    created_at            INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier)
);

CREATE TABLE client_grants (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    client_id   TEXT    NOT NULL,
    audience    TEXT    NOT NULL,
    scope       TEXT    NOT NULL CHECK (json_valid(scope)),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id, audience),
    FOREIGN KEY (tenant_id, client_id)
        REFERENCES applications (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, audience)
        REFERENCES resource_servers (tenant_id, identifier) ON DELETE CASCADE
);

CREATE TABLE signing_keys (
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kid                 TEXT    NOT NULL,
    alg                 TEXT    NOT NULL,
    public_jwk          TEXT    NOT NULL CHECK (json_valid(public_jwk)),
    sealed_private_key  BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    activates_at        INTEGER NOT NULL,
    revoked_at          INTEGER,
    PRIMARY KEY (tenant_id, kid)
);

CREATE INDEX signing_keys_by_activation ON signing_keys (tenant_id, activates_at, created_at);
