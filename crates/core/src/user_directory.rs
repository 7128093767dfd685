//! Reading, changing and deleting users for the Management API (`/api/v2/users`).
//! Part of the [`Store`](crate::Store) boundary.

use async_trait::async_trait;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use crate::clock::UnixTime;
use crate::ids::{RoleId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::password::PasswordHash;
use crate::store::StoreError;
use crate::user::{User, normalize_email};

/// Which users a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only the user whose email normalises ([`normalize_email`](crate::normalize_email))
    /// to the same address as this one. Answered from the unique index on the normalised
    /// address.
    pub email: Option<String>,
    /// Only users of this connection (e.g. `Username-Password-Authentication`).
    pub connection: Option<String>,
}

/// The order of a listing: by `created_at`, ties broken by `user_id`, so pages never
/// overlap or skip a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserOrder {
    #[default]
    CreatedAscending,
    CreatedDescending,
}

/// A change to a user (Auth0's `PATCH /api/v2/users/{id}`): `None` leaves a field as
/// it is. Build it from checked input; the store applies it with [`UserPatch::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// The new address (already checked and folded by the caller). Unless
    /// `email_verified` is given too, a changed address is no longer verified.
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub password_hash: Option<PasswordHash>,
    pub blocked: Option<bool>,
    /// Merged into `user_metadata` at the top level: a key set to `null` is removed,
    /// other keys replace the stored ones whole; an empty object clears the metadata.
    pub user_metadata: Option<Map<String, Value>>,
    /// Merged into `app_metadata` as `user_metadata` is.
    pub app_metadata: Option<Map<String, Value>>,
}

impl UserPatch {
    /// `user` with this patch applied at `at` (`updated_at = at`).
    pub fn apply(&self, user: &mut User, at: UnixTime) {
        if let Some(email) = &self.email {
            // Another address, not the same one in another case or Unicode form.
            if normalize_email(email) != normalize_email(&user.email) {
                user.email_verified = false;
            }
            user.email.clone_from(email);
        }
        if let Some(v) = self.email_verified {
            user.email_verified = v;
        }
        if let Some(name) = &self.name {
            user.name.clone_from(name);
        }
        if let Some(nickname) = &self.nickname {
            user.nickname.clone_from(nickname);
        }
        if let Some(picture) = &self.picture {
            user.picture = Some(picture.clone());
        }
        if let Some(hash) = &self.password_hash {
            user.password_hash = Some(hash.clone());
        }
        if let Some(blocked) = self.blocked {
            user.blocked = blocked;
        }
        if let Some(patch) = &self.user_metadata {
            merge_metadata(&mut user.user_metadata, patch);
        }
        if let Some(patch) = &self.app_metadata {
            merge_metadata(&mut user.app_metadata, patch);
        }
        user.updated_at = at;
    }
}

/// An address as given, in the form it is checked and stored in: surrounding whitespace
/// removed and Unicode compatibility forms folded (a fullwidth `＠` is an `@`), as
/// [`create_database_user`](crate::signup::create_database_user) stores it. Case is
/// kept; comparisons use [`normalize_email`](crate::normalize_email).
pub fn fold_email(raw: &str) -> String {
    raw.trim().nfkc().collect()
}

/// Auth0's metadata merge: top-level keys only; `null` removes a key; `{}` clears all.
pub fn merge_metadata(stored: &mut Value, patch: &Map<String, Value>) {
    if patch.is_empty() || !stored.is_object() {
        *stored = Value::Object(Map::new());
    }
    if let Value::Object(target) = stored {
        for (k, v) in patch {
            if v.is_null() {
                target.remove(k);
            } else {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// Stores a new user and gives it each of `roles` that exists (a role deleted since
    /// it was made a default role is skipped), in one transaction. `Conflict`, and
    /// nothing is stored, when the tenant already has the user id or a user whose email
    /// normalises to the same address, or does not exist.
    async fn create_user(&self, user: &User, roles: &[RoleId]) -> Result<(), StoreError>;

    /// One page of the tenant's users matching `filter`, in `order`, and how many match
    /// in all. With `filter.email` set the lookup uses the unique index on the
    /// normalised address (at most one user matches).
    async fn list_users(
        &self,
        tenant: &TenantId,
        filter: &UserFilter,
        order: UserOrder,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError>;

    /// Applies `patch` to the user ([`UserPatch::apply`], `updated_at = at`) in one
    /// transaction that holds the user's row from the read to the write, so concurrent
    /// patches of metadata never lose each other's keys. In the same transaction a new
    /// password or a block revokes the user's refresh tokens, and a block its SSO
    /// sessions (revoked at `at`), as Auth0 ends them. Returns the user as stored
    /// after the change, or `None` (nothing changes) when there is no such user.
    /// `Conflict`, and nothing changes, when the new email normalises to another
    /// user's address.
    async fn update_user(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        patch: &UserPatch,
        at: UnixTime,
    ) -> Result<Option<User>, StoreError>;

    /// Deletes the user and, by the schema's cascades, everything that refers to it:
    /// its roles, authorization codes, refresh tokens, SSO sessions, password-reset and
    /// email-verification tickets. `false` when there was no such user.
    async fn delete_user(&self, tenant: &TenantId, user_id: &UserId) -> Result<bool, StoreError>;

    /// Stores new users as a bulk import does (`portcullis admin import users`): all in
    /// one transaction, without roles, and a user that conflicts with a stored one (the
    /// same user id, or an email that normalises to the same address) or with an
    /// earlier one of `users` is skipped instead of failing the call. Returns one
    /// outcome per user, in order. An error (database unavailable, tenant missing)
    /// stores none of them.
    async fn import_users(&self, users: &[User]) -> Result<Vec<ImportOutcome>, StoreError>;
}

/// What [`UserDirectory::import_users`] did with one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Stored.
    Imported,
    /// Skipped: the tenant already has a user with this user id.
    IdExists,
    /// Skipped: the tenant already has a user whose email normalises to the same
    /// address.
    EmailExists,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn metadata_merges_at_the_top_level_only() {
        let mut stored = json!({"a": 1, "addr": {"home": "x", "work": "y"}, "gone": true});
        merge_metadata(
            &mut stored,
            &obj(json!({"addr": {"home": "z"}, "gone": null, "b": [1]})),
        );
        assert_eq!(stored, json!({"a": 1, "addr": {"home": "z"}, "b": [1]}));
        merge_metadata(&mut stored, &Map::new());
        assert_eq!(stored, json!({}));
        let mut not_object = json!(null);
        merge_metadata(&mut not_object, &obj(json!({"k": "v", "n": null})));
        assert_eq!(not_object, json!({"k": "v"}));
    }

    #[test]
    fn a_new_email_is_unverified_unless_said_otherwise() {
        let mut user = User {
            tenant_id: TenantId::default_tenant(),
            user_id: UserId::new("auth0|1"),
            connection: crate::user::DATABASE_CONNECTION.to_owned(),
            email: "a@example.com".into(),
            email_verified: true,
            name: "a".into(),
            nickname: "a".into(),
            picture: None,
            password_hash: None,
            blocked: false,
            user_metadata: json!({}),
            app_metadata: json!({}),
            created_at: UnixTime(1),
            updated_at: UnixTime(1),
            last_login: None,
            logins_count: 0,
        };
        let same = UserPatch {
            email: Some("A@Example.com".into()),
            ..UserPatch::default()
        };
        same.apply(&mut user, UnixTime(2));
        assert!(user.email_verified);
        assert_eq!(user.updated_at, UnixTime(2));
        let moved = UserPatch {
            email: Some("b@example.com".into()),
            ..UserPatch::default()
        };
        moved.apply(&mut user, UnixTime(3));
        assert_eq!(
            (user.email.as_str(), user.email_verified),
            ("b@example.com", false)
        );
        let verified = UserPatch {
            email: Some("c@example.com".into()),
            email_verified: Some(true),
            blocked: Some(true),
            ..UserPatch::default()
        };
        verified.apply(&mut user, UnixTime(4));
        assert_eq!((user.email_verified, user.blocked), (true, true));
    }
}
