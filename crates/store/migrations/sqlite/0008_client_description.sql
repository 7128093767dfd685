-- Auth0's `description` of an application, for the Management API (`/api/v2/clients`).
-- Keep in step with migrations/postgres/0008_client_description.sql.
ALTER TABLE applications ADD COLUMN description TEXT NOT NULL DEFAULT '';

-- Client grants listed by API (`GET /api/v2/client-grants?audience=`);
-- (tenant_id, client_id, audience) is already unique, hence indexed.
CREATE INDEX client_grants_by_audience ON client_grants (tenant_id, audience);
