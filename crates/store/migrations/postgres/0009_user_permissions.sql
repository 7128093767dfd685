-- Permissions given to users directly (Auth0 `POST /api/v2/users/{id}/permissions`),
-- besides those their roles give. Keep in step with
-- migrations/sqlite/0009_user_permissions.sql.

CREATE TABLE user_permissions (
    tenant_id                   TEXT NOT NULL,
    user_id                     TEXT NOT NULL,
    resource_server_identifier  TEXT NOT NULL,
    permission_name             TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, resource_server_identifier, permission_name),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_server_identifier)
        REFERENCES resource_servers (tenant_id, identifier) ON DELETE CASCADE
);

CREATE INDEX user_permissions_by_api
    ON user_permissions (tenant_id, resource_server_identifier);
