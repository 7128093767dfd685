//! Reading the tenant as a [`CurrentState`].

use portcullis_core::tenant_config::{CurrentRole, CurrentState};
use portcullis_core::{CoreError, Page, PageRequest, Store, StoreError, TenantId};

use crate::Failure;

/// Rows per page when reading listings whole.
const PER_PAGE: u32 = 100;

pub async fn read(store: &dyn Store, tenant: &TenantId) -> Result<CurrentState, Failure> {
    let settings = store
        .tenant(tenant)
        .await?
        .ok_or_else(|| CoreError::NoTenant(tenant.to_string()))?
        .settings;
    let apis = store.resource_servers(tenant).await?;
    let applications = all(|page| store.list_clients(tenant, &[], page)).await?;
    let mut roles = Vec::new();
    for role in all(|page| store.list_roles(tenant, None, page)).await? {
        let permissions = all(|page| store.role_permissions(tenant, &role.id, page))
            .await?
            .into_iter()
            .map(|p| portcullis_core::rbac_admin::PermissionRef {
                resource_server_identifier: p.resource_server_identifier,
                permission_name: p.permission_name,
            })
            .collect();
        roles.push(CurrentRole { role, permissions });
    }
    let grants = store.client_grants(tenant).await?;
    Ok(CurrentState {
        settings,
        apis,
        applications,
        roles,
        grants,
    })
}

/// Every item of a paged listing.
async fn all<T, F, Fut>(mut list: F) -> Result<Vec<T>, StoreError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StoreError>>,
{
    let mut out = Vec::new();
    let mut page = 0;
    loop {
        let Page { items, total } = list(PageRequest {
            page,
            per_page: PER_PAGE,
        })
        .await?;
        let last = items.len() < PER_PAGE as usize;
        out.extend(items);
        if last || out.len() as u64 >= total {
            return Ok(out);
        }
        page += 1;
    }
}
