//! Repositories: async functions over any [`ConnectionTrait`], so the caller decides whether
//! they run on the pool or inside its request's transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::entities::*;
use signet_domain::certificate::{BindingStatus, CaStatus, CertPurpose, KeyAlg};
use signet_domain::org::InvitationStatus;

/// One page (1-based) of a query and the number of rows in all pages, with sea-orm's paginator.
async fn fetch_page<'db, C, S>(
    db: &'db C,
    query: S,
    page: u64,
    page_size: u64,
) -> Result<(Vec<<S::Selector as sea_orm::SelectorTrait>::Item>, u64), DbErr>
where
    C: ConnectionTrait,
    S: PaginatorTrait<'db, C>,
{
    let paginator = query.paginate(db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((rows, total))
}

pub mod users;

pub mod sessions;

pub mod captchas;

pub mod sms_codes;

pub mod agreements;

pub mod orgs;

pub mod server_keys;

pub mod pki;

pub mod seals;

pub mod external;

pub mod login_challenges;

pub mod bound;

pub mod gc;
