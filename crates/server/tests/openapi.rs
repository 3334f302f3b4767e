//! `openapi/openapi.json` must be what the code generates. Regenerate with
//! `make openapi` (or `UPDATE_OPENAPI=1 cargo nextest run -p signet-server openapi`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let generated = signet_server::openapi::document_json();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `make openapi` and commit the diff"
    );
}

#[test]
fn every_operation_has_responses_and_every_error_is_a_problem() {
    let doc: serde_json::Value =
        serde_json::from_str(&signet_server::openapi::document_json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 20);
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{method} {path} undocumented"
            );
            for (status, resp) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &resp["content"]["application/problem+json"]["schema"]["$ref"];
                    if path != "/readyz" {
                        assert_eq!(
                            schema, "#/components/schemas/Problem",
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_schema_has_an_example() {
    let doc: serde_json::Value =
        serde_json::from_str(&signet_server::openapi::document_json()).unwrap();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(
            schema.get("example").is_some(),
            "schema {name} has no example"
        );
    }
}

/// The closed sets in the document list exactly the spellings the server writes and reads.
#[test]
fn closed_sets_list_their_stored_spellings() {
    use signet_domain::certificate::{BindingStatus, KeyAlg};
    use signet_domain::org::{InvitationStatus, Role, SealType};
    use signet_domain::task_access::Operation;
    use signet_domain::workflow::{SealKind, SignMode, StepState, TaskState};
    let doc: serde_json::Value =
        serde_json::from_str(&signet_server::openapi::document_json()).unwrap();
    let spellings = |all: Vec<&'static str>| serde_json::json!(all);
    for (name, want) in [
        (
            "TaskState",
            spellings(TaskState::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "StepState",
            spellings(StepState::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "SignMode",
            spellings(SignMode::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "SealKind",
            spellings(SealKind::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "Role",
            spellings(Role::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "InvitationStatus",
            spellings(InvitationStatus::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "SealType",
            spellings(SealType::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "KeyAlg",
            spellings(KeyAlg::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "BindingStatus",
            spellings(BindingStatus::ALL.iter().map(|v| v.as_str()).collect()),
        ),
        (
            "Operation",
            spellings(Operation::ALL.iter().map(|v| v.as_str()).collect()),
        ),
    ] {
        let schema = &doc["components"]["schemas"][name];
        assert_eq!(schema["enum"], want, "{name}: {schema}");
        let example = schema["example"].as_str().unwrap();
        assert!(
            want.as_array()
                .unwrap()
                .contains(&serde_json::json!(example)),
            "{name}"
        );
    }
}

/// Every operation has its own `operationId` (client generators name methods by it).
#[test]
fn operation_ids_are_unique() {
    let doc: serde_json::Value =
        serde_json::from_str(&signet_server::openapi::document_json()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id} of {method} {path} is also {other}'s");
            }
        }
    }
}

/// The committed document is valid OpenAPI under `openapi-spec-validator` (a tool `make
/// test` installs; in CI its absence fails the test).
#[test]
fn the_document_passes_openapi_spec_validator() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let out = match std::process::Command::new("openapi-spec-validator")
        .arg(&path)
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            signet_testkit::require("openapi-spec-validator", false);
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
