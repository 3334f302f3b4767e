//! The evidence report of a completed task (证据报告): what was signed, by whom, with which
//! certificates, what the validator says of each final document now, and the whole audit
//! trail with its head hash and the TSA's timestamp over it. The PDF is set in the CJK font
//! (`signet_pdf::report`) and signed PAdES B-LT by the platform's document-signing
//! certificate, so `signet pdf verify` and pyHanko check it against the Signet root.
//!
//! Also the validator as the public uses it: Signet's roots as anchors and revocation
//! answers from the built-in PKI.

use chrono::{DateTime, FixedOffset, Utc};
use signet_domain::audit::GENESIS;
use signet_pdf::report::{Block, TextDocument};
use signet_pdf::verify::{self, Report, VerifyOptions};
use signet_pki::sign::{KeyAlgorithm, SigningKey};
use signet_pki::verify::{RevocationMaterial, TrustAnchors};
use signet_store::audit;
use std::collections::BTreeMap;
use x509_cert::Certificate;

use crate::app::signing::{self, Level, Pipeline, Planned};
use crate::app::tasks::Loaded;
use crate::evidence::ChainCheck;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Validates `pdf` with Signet's roots as trust anchors and revocation answers for every
/// certificate the built-in CAs issued (made fresh, as the OCSP responder would). A file that
/// cannot be read is a report with the `unreadable` verdict, never an error.
pub async fn validate(state: &AppState, pdf: Vec<u8>) -> ApiResult<Report> {
    let mut options = VerifyOptions::new(TrustAnchors::new());
    if let Some(trust) = state.ca.as_deref() {
        for root in trust.roots() {
            options.anchors.push(root.cert.clone());
        }
        // Material for what the file carries; a file that is not a PDF or carries too many
        // certificates is validated with what it embeds.
        if let Ok(m) = signing::validation_data(trust, &state.db, &pdf).await {
            options.extra = RevocationMaterial {
                certificates: m
                    .certs
                    .iter()
                    .filter_map(|d| <Certificate as der::Decode>::from_der(d).ok())
                    .collect(),
                ocsp_responses: m.ocsps,
                crls: m.crls,
            };
        }
    }
    Ok(actix_web::web::block(move || verify::verify(&pdf, &options)).await?)
}

fn cst(t: DateTime<Utc>) -> String {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("valid offset"));
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S（北京时间）")
        .to_string()
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "task_created" => "创建任务",
        "task_started" => "发起签署",
        "step_activated" => "轮到签署",
        "step_signed" => "完成签署",
        "step_rejected" => "拒签",
        "task_completed" => "任务完成",
        "task_rejected" => "任务被拒签",
        "task_cancelled" => "任务撤销",
        "task_expired" => "任务过期",
        "task_forwarded" => "转发",
        "page_viewed" => "查看页面",
        "document_downloaded" => "下载文件",
        "documents_downloaded" => "下载全部文件",
        "evidence_exported" => "导出证据报告",
        other => other,
    }
}

fn state_label(state: &str) -> &str {
    match state {
        "draft" => "草稿",
        "in_progress" => "签署中",
        "completed" => "已完成",
        "rejected" => "已拒签",
        "cancelled" => "已撤销",
        "expired" => "已过期",
        "waiting" => "等待",
        "active" => "待签署",
        "signed" => "已签署",
        "skipped" => "未签署",
        other => other,
    }
}

/// A QR code of `text`, as the layout draws it.
fn qr(text: &str, caption: String) -> Option<Block> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some(Block::Qr {
        modules,
        width,
        caption,
    })
}

/// The public verification page of a code: the panel's `/verify/{code}`, which shows what
/// `GET /api/v1/verify/{code}` answers.
pub fn verify_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/verify/{code}",
        state.settings.http.public_base_url.trim_end_matches('/')
    )
}

/// Everything the report shows, gathered first.
pub struct Gathered {
    pub reports: Vec<(String, Report)>,
    pub chain: ChainCheck,
    pub events: Vec<audit::Event>,
    pub actors: BTreeMap<String, String>,
    /// The organisation each step's signer acted for, by step id.
    pub acting: BTreeMap<String, String>,
    pub orgs: BTreeMap<String, String>,
}

/// Composes the report's text.
pub fn compose(state: &AppState, l: &Loaded, g: &Gathered, now: DateTime<Utc>) -> TextDocument {
    let mut b = vec![
        Block::Title("电子签署证据报告".into()),
        Block::Small(format!(
            "本报告由 Signet 平台生成并以平台证书签名（PAdES B-LT）。生成时间：{}",
            cst(now)
        )),
        Block::Heading("一、任务信息".into()),
        Block::Field {
            label: "任务名称".into(),
            value: l.task.name.clone(),
        },
        Block::Field {
            label: "任务编号".into(),
            value: l.task.id.clone(),
        },
        Block::Field {
            label: "发起人".into(),
            value: l.task.initiator_name.clone(),
        },
    ];
    if let Some(org) = l.task.org_id.as_ref().and_then(|o| g.orgs.get(o)) {
        b.push(Block::Field {
            label: "发起机构".into(),
            value: org.clone(),
        });
    }
    b.push(Block::Field {
        label: "创建时间".into(),
        value: cst(l.task.created_at),
    });
    if let Some(t) = l.task.finished_at {
        b.push(Block::Field {
            label: "完成时间".into(),
            value: cst(t),
        });
    }
    b.push(Block::Field {
        label: "任务状态".into(),
        value: state_label(l.task.state.as_str()).into(),
    });

    b.push(Block::Heading("二、签署步骤".into()));
    for s in &l.steps {
        let org = g
            .acting
            .get(&s.id)
            .and_then(|o| g.orgs.get(o))
            .map(|n| format!("（{n}）"))
            .unwrap_or_default();
        let when = s.signed_at.map(cst).unwrap_or_else(|| "—".into());
        b.push(Block::Text(format!(
            "第 {} 步  {}{}  {}  {}",
            s.ord,
            s.signer_name,
            org,
            state_label(s.state.as_str()),
            when
        )));
    }

    b.push(Block::Heading("三、文件与签名".into()));
    // Each event's document hashes, read once for all documents.
    let trail_hashes: Vec<BTreeMap<String, String>> = g
        .events
        .iter()
        .filter_map(|e| serde_json::from_str(&e.document_hashes).ok())
        .collect();
    for (i, d) in l.docs.iter().enumerate() {
        b.push(Block::Gap);
        b.push(Block::Field {
            label: format!("文件 {}", i + 1),
            value: d.name.clone(),
        });
        b.push(Block::Field {
            label: "页数".into(),
            value: d.pages.to_string(),
        });
        b.push(Block::Field {
            label: "原始文件 SHA-256".into(),
            value: d.original_blob.clone(),
        });
        // Every revision the trail saw, in order.
        let mut revisions: Vec<&String> = Vec::new();
        for h in trail_hashes.iter().filter_map(|m| m.get(&d.id)) {
            if !revisions.contains(&h) {
                revisions.push(h);
            }
        }
        for (n, h) in revisions.iter().enumerate() {
            b.push(Block::Field {
                label: format!("版本 {n} SHA-256"),
                value: (*h).clone(),
            });
        }
        b.push(Block::Field {
            label: "最终文件 SHA-256".into(),
            value: d.current_blob.clone(),
        });
        let code = crate::evidence::verification_code(&state.master, &d.id, &d.current_blob);
        b.push(Block::Field {
            label: "验证码".into(),
            value: code.grouped(),
        });
        if let Some((_, report)) = g.reports.iter().find(|(id, _)| *id == d.id) {
            b.push(Block::Field {
                label: "验证结论".into(),
                value: format!(
                    "{}（{} 个签名，验证时间 {}）",
                    verdict_label(report.verdict.as_str()),
                    report.signatures.len(),
                    cst(report.validated_at)
                ),
            });
            for (n, s) in report.signatures.iter().enumerate() {
                b.push(Block::Text(format!(
                    "签名 {}：{}",
                    n + 1,
                    verdict_label(s.verdict.as_str())
                )));
                if let Some(c) = &s.signer {
                    b.push(Block::Field {
                        label: "签名人证书主题".into(),
                        value: c.subject.clone(),
                    });
                    b.push(Block::Field {
                        label: "证书序列号".into(),
                        value: c.serial.clone(),
                    });
                    b.push(Block::Field {
                        label: "颁发者".into(),
                        value: c.issuer.clone(),
                    });
                }
                let alg = s.integrity.algorithm.clone().unwrap_or_else(|| "—".into());
                b.push(Block::Field {
                    label: "算法与级别".into(),
                    value: format!("{alg}  {}", s.level.map(|l| l.as_str()).unwrap_or("—")),
                });
                let time = s
                    .timestamp
                    .as_ref()
                    .map(|t| format!("{}（时间戳）", cst(t.time)))
                    .or_else(|| s.claimed_time.map(|t| format!("{}（签名人声明）", cst(t))))
                    .unwrap_or_else(|| "—".into());
                b.push(Block::Field {
                    label: "签署时间".into(),
                    value: time,
                });
            }
        }
        let url = verify_url(state, code.as_str());
        if let Some(q) = qr(&url, format!("扫码验证：{url}")) {
            b.push(q);
        }
    }

    b.push(Block::Heading("四、操作记录（哈希链）".into()));
    b.push(Block::Small(
        "每条记录的哈希 = SHA-256(记录内容 + 上一条记录的哈希)，任何修改、删除或调序都会使链断开。"
            .into(),
    ));
    for e in &g.events {
        let actor = e
            .actor_id
            .as_ref()
            .map(|a| g.actors.get(a).cloned().unwrap_or_else(|| a.clone()))
            .unwrap_or_else(|| "系统".into());
        b.push(Block::Text(format!(
            "#{}  {}  {}  {}",
            e.seq,
            cst(e.at),
            kind_label(&e.kind),
            actor
        )));
        b.push(Block::Small(format!(
            "IP {}  UA {}",
            if e.ip.is_empty() { "—" } else { &e.ip },
            if e.user_agent.is_empty() {
                "—"
            } else {
                &e.user_agent
            }
        )));
        b.push(Block::Small(format!("哈希 {}", e.hash)));
    }
    b.push(Block::Gap);
    b.push(Block::Field {
        label: "链头序号".into(),
        value: g
            .chain
            .head_seq
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".into()),
    });
    b.push(Block::Field {
        label: "链头哈希".into(),
        value: g.chain.head_hash.clone().unwrap_or_else(|| GENESIS.into()),
    });
    b.push(Block::Field {
        label: "链校验".into(),
        value: match &g.chain.broken {
            None => "完整".into(),
            Some(p) => format!("断开：{p}"),
        },
    });
    for a in &g.chain.anchors {
        b.push(Block::Field {
            label: format!("时间戳（至第 {} 条）", a.seq),
            value: format!(
                "{}  {}",
                a.time.map(cst).unwrap_or_else(|| "—".into()),
                if a.problems.is_empty() {
                    "有效"
                } else {
                    "无效"
                }
            ),
        });
    }

    TextDocument {
        title: format!("电子签署证据报告 - {}", l.task.name),
        blocks: b,
        created: now,
        page_label: "第 {n} 页 / 共 {total} 页".into(),
    }
}

fn verdict_label(v: &str) -> &str {
    match v {
        "valid" => "有效",
        "untrusted" => "签名完整但证书不受信任",
        "modified" => "签名后文件被修改",
        "invalid" => "签名无效",
        "unsigned" => "未签名",
        "unreadable" => "无法读取",
        other => other,
    }
}

/// Gathers what the report shows; `chain` is the check of `events` (the task's trail).
pub async fn gather(
    state: &AppState,
    l: &Loaded,
    chain: ChainCheck,
    events: Vec<audit::Event>,
) -> ApiResult<Gathered> {
    let mut reports = Vec::with_capacity(l.docs.len());
    for d in &l.docs {
        let pdf = state.blobs.get(&d.current_blob).await?;
        reports.push((d.id.clone(), validate(state, pdf).await?));
    }
    let actors = crate::evidence::actor_names(&state.db, &events).await?;
    let acting = crate::evidence::acting_orgs(&state.db, &l.steps, &events).await?;
    let org_ids = acting.values().cloned().chain(l.task.org_id.clone());
    let orgs = crate::app::tasks::org_names(&state.db, org_ids).await?;
    Ok(Gathered {
        acting,
        reports,
        chain,
        events,
        actors,
        orgs,
    })
}

/// Lays out and signs the report with the platform's P-256 document-signing certificate at
/// B-LT (signature timestamp from the configured TSA, then the DSS).
pub async fn render_signed(state: &AppState, doc: TextDocument) -> ApiResult<Vec<u8>> {
    let font = signing::date_font().ok_or_else(|| ApiError::unavailable("font_unavailable", 60))?;
    let pdf = actix_web::web::block(move || signet_pdf::report::build(&doc, font))
        .await?
        .map_err(ApiError::internal)?;
    let pipeline = Pipeline::new(state)?;
    let platform = pipeline
        .ca()
        .platform(KeyAlgorithm::EcdsaP256)
        .ok_or_else(|| ApiError::unavailable("pki_not_initialised", 60))?;
    let key = SigningKey::from_pkcs8(&platform.key.to_pkcs8_der().map_err(ApiError::internal)?)
        .map_err(ApiError::internal)?;
    let mut spec = signet_pdf::SignatureSpec::new(signet_pdf::sign::Visible::Invisible, Utc::now());
    spec.name = Some("Signet".into());
    spec.reason = Some("证据报告 / Evidence report".into());
    let planned = vec![Planned {
        spec,
        key,
        signer: platform.cert.clone(),
        chain: pipeline.ca().chain_of(&platform.ca_id),
    }];
    pipeline.sign(pdf, planned, Level::BLt).await
}
