//! Where a signature goes on a document.

// One type from the request to the engine: the API's placements (`signet_api` re-exports it)
// and where the PDF engine draws a signature (`signet_pdf::Visible`).
/// Where a signature goes on the document, tagged on `kind`. Shared by direct signing
/// (`SignPlacement`) and task steps (`StepPlacement`). Coordinates are points from the
/// lower-left corner of the page as displayed (rotation applied); pages count from 1.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0]})))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Placement {
    /// A seal image in `rect` (x, y, width, height) on `page`.
    Seal { page: u32, rect: [f64; 4] },
    /// 骑缝章: the seal cut into one strip per page over pages `first`–`last`, on the right
    /// edge at height `y`, `size` points high.
    CrossPage {
        first: u32,
        last: u32,
        y: f64,
        size: f64,
    },
    /// A signature without an appearance.
    Invisible,
}

impl Placement {
    /// Whether the signature prints a seal (and so needs one).
    pub fn is_visible(&self) -> bool {
        !matches!(self, Placement::Invisible)
    }
}
