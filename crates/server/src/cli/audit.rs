//! `signet audit verify`: the evidence trail's hash chains and timestamp anchors.

use clap::Subcommand;

use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// Check every task's chain (or one task's) and its timestamp anchors; exits non-zero
    /// naming the first broken link of each broken chain.
    Verify {
        #[arg(long)]
        task: Option<String>,
    },
}

pub(super) async fn run(settings: &Settings, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { task } => verify(settings, task.as_deref()).await,
    }
}

/// `signet audit verify`: checks every task's audit chain (or one task's) and its TSA
/// anchors; prints one line per chain and fails naming the first broken link of each broken
/// chain.
async fn verify(settings: &Settings, task: Option<&str>) -> anyhow::Result<()> {
    let (db, trust) = super::db::trust(settings).await?;
    let tsa_ok = crate::evidence::tsa_trust(trust.as_ref(), settings);
    let checks = crate::evidence::check_all(&db, task, &tsa_ok).await?;
    if checks.is_empty() {
        match task {
            Some(t) => anyhow::bail!("task {t} has no events"),
            None => println!("no audit events yet"),
        }
    }
    let mut broken = 0;
    for c in &checks {
        if c.ok() {
            println!(
                "ok\t{}\t{} events\thead {} {}\t{} anchor(s)",
                c.task_id,
                c.events,
                c.head_seq.unwrap_or(0),
                c.head_hash.as_deref().unwrap_or(""),
                c.anchors.len()
            );
            continue;
        }
        broken += 1;
        if let Some(b) = &c.broken {
            println!("BROKEN\t{b}");
        }
        for a in c.anchors.iter().filter(|a| !a.problems.is_empty()) {
            println!(
                "BROKEN\ttask {}: anchor at seq {}: {}",
                c.task_id,
                a.seq,
                a.problems.join("; ")
            );
        }
    }
    if broken > 0 {
        anyhow::bail!("{broken} of {} audit chain(s) are broken", checks.len());
    }
    Ok(())
}
