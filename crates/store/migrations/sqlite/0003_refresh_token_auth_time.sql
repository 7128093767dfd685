-- The time of the authentication a refresh-token family came from, so an ID token
-- issued on refresh carries the original `auth_time` (OpenID Connect Core §12.2).
-- Families issued before this column existed take their creation time.
ALTER TABLE refresh_tokens ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;
UPDATE refresh_tokens SET auth_time = created_at;
