-- The time of the authentication a refresh-token family came from, so an ID token
-- issued on refresh carries the original `auth_time` (OpenID Connect Core §12.2).
-- Families issued before this column existed take their creation time.
ALTER TABLE refresh_tokens ADD COLUMN auth_time BIGINT;
UPDATE refresh_tokens SET auth_time = created_at;
ALTER TABLE refresh_tokens ALTER COLUMN auth_time SET NOT NULL;
