//! Organisations (企业), members and invitations.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "福建瑞术信息科技有限公司", "uscc": null})))]
pub struct CreateOrg {
    pub name: String,
    /// Unified social credit code (统一社会信用代码), optional until enterprise verification.
    #[serde(default)]
    pub uscc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "示例科技有限公司", "uscc": null, "verified": false, "created_at": "2026-11-23T08:00:00Z", "my_role": "admin", "my_grants": ["initiate"]})))]
pub struct Org {
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    /// Set once the organisation's identity has been verified (enterprise real-name).
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    /// The caller's role in it.
    pub my_role: Role,
    pub my_grants: Vec<String>,
}

/// A page of Orgs.
pub type OrgList = Page<Org>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"user_id": "usr_0193a0c4…", "real_name": "李四", "account_name": "lisi2026", "phone_masked": "139****9000", "role": "member", "grants": [], "joined_at": "2026-11-23T08:00:00Z"})))]
pub struct Member {
    pub user_id: String,
    pub real_name: String,
    pub account_name: String,
    pub phone_masked: String,
    pub role: Role,
    pub grants: Vec<String>,
    pub joined_at: DateTime<Utc>,
}

/// A page of Members.
pub type MemberList = Page<Member>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"role": "member", "grants": ["initiate"]})))]
pub struct UpdateMember {
    #[serde(default)]
    pub role: Option<String>,
    /// The complete new set of grants.
    #[serde(default)]
    pub grants: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13900139000", "role": "member"})))]
pub struct CreateInvitation {
    pub phone: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "inv_0193a0c4…", "org_id": "org_0193a0c4…", "org_name": "示例科技有限公司", "phone_masked": "139****9000", "role": "member", "status": "pending", "invited_by": "张三", "created_at": "2026-11-23T08:00:00Z", "expires_at": "2026-11-30T08:00:00Z"})))]
pub struct Invitation {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub phone_masked: String,
    pub role: Role,
    pub status: InvitationStatus,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A page of Invitations.
pub type InvitationList = Page<Invitation>;
