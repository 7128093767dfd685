-- The Management API lists users by creation time (`GET /api/v2/users`, pages in
-- `created_at` order, ties broken by `user_id`). Email search needs no index of its
-- own: UNIQUE (tenant_id, email_normalized) is one.
CREATE INDEX users_by_created ON users (tenant_id, created_at, user_id);
