//! `signet bench-seed`: fills a PostgreSQL database with generated users and signing tasks
//! for the list benchmark (`make bench-api`), in a few set-based statements.
//!
//! Users `usr_bench_00000`…: task counts are skewed (a power law over user numbers), so most
//! users have a few tasks and some have many; one more user, `usr_bench_heavy`, initiates
//! 10,000 tasks and is the signer of 10,000 others. A fifth of the tasks are in progress with
//! their step active, the rest completed with their step signed.

use anyhow::{Context, bail};
use signet_store::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// The heavy user's id.
pub const HEAVY_USER: &str = "usr_bench_heavy";
/// Tasks the heavy user initiates, and tasks it signs.
pub const HEAVY_TASKS: u64 = 10_000;

/// Seeds `users` users and `tasks` tasks (with one document and one step each).
pub async fn seed(db: &DatabaseConnection, tasks: u64, users: u64) -> anyhow::Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        bail!("bench-seed needs PostgreSQL (the list benchmark's target)");
    }
    if users == 0 || tasks < 2 * HEAVY_TASKS {
        bail!("need at least one user and {} tasks", 2 * HEAVY_TASKS);
    }
    let statements = [
        // A plain (unlogged) table: the pool may run each statement on another connection.
        "DROP TABLE IF EXISTS bench_plan".to_owned(),
        format!(
            "INSERT INTO users (id, account_name, real_name, id_card_sealed, id_card_index, \
             id_card_masked, phone, password_hash, real_name_verified_at, failed_logins, \
             created_at, updated_at) \
             SELECT 'usr_bench_' || lpad(i::text, 5, '0'), 'bench' || i, '用户' || i, \
             '\\x00'::bytea, 'bench-idx-' || i, '1101**********000' || (i % 10), \
             '17' || lpad(i::text, 9, '0'), '!', now(), 0, now(), now() \
             FROM generate_series(0, {last}) AS i",
            last = users - 1
        ),
        "INSERT INTO users (id, account_name, real_name, id_card_sealed, id_card_index, \
         id_card_masked, phone, password_hash, real_name_verified_at, failed_logins, \
         created_at, updated_at) VALUES ('usr_bench_heavy', 'benchheavy', '王大户', \
         '\\x00'::bytea, 'bench-idx-heavy', '1101**********0000', '16600000000', '!', now(), 0, \
         now(), now())"
            .to_owned(),
        // n ≤ 10,000: the heavy user initiates; 10,000 < n ≤ 20,000: the heavy user signs.
        // Otherwise both are skewed draws: user ⌊users·u³⌋ for a scrambled u in [0, 1).
        format!(
            "CREATE UNLOGGED TABLE bench_plan AS SELECT n, \
             CASE WHEN n <= {heavy} THEN 'usr_bench_heavy' ELSE 'usr_bench_' || lpad(floor({users} * power(((n * 2654435761::bigint) % 1000003) / 1000003.0, 3))::int::text, 5, '0') END AS initiator, \
             CASE WHEN n > {heavy} AND n <= {heavy2} THEN 'usr_bench_heavy' ELSE 'usr_bench_' || lpad(floor({users} * power(((n * 40503::bigint + 7) % 1000033) / 1000033.0, 3))::int::text, 5, '0') END AS signer, \
             CASE WHEN n % 5 = 0 THEN 'in_progress' ELSE 'completed' END AS state, \
             now() - (n || ' minutes')::interval AS created \
             FROM generate_series(1, {tasks}) AS n",
            heavy = HEAVY_TASKS,
            heavy2 = 2 * HEAVY_TASKS,
        ),
        "INSERT INTO tasks (id, name, initiator_id, initiator_name, org_id, state, version, \
         deadline, search_text, forwarded_from, created_at, started_at, finished_at, updated_at) \
         SELECT 'tsk_bench_' || n, '采购合同' || n, p.initiator, u.real_name, NULL, p.state, 2, \
         NULL, '采购合同' || n || E'\\n附件' || n || '.pdf', NULL, p.created, p.created, \
         CASE WHEN p.state = 'completed' THEN p.created END, p.created \
         FROM bench_plan p JOIN users u ON u.id = p.initiator"
            .to_owned(),
        "INSERT INTO task_documents (id, task_id, position, name, uploader_id, original_blob, \
         current_blob, pages, size, created_at) \
         SELECT 'doc_bench_' || n, 'tsk_bench_' || n, 0, '附件' || n, initiator, \
         md5(n::text), md5(n::text), 4, 100000, created FROM bench_plan"
            .to_owned(),
        "INSERT INTO task_steps (id, task_id, ord, position, signer_id, signer_name, org_id, \
         mode, seal_kind, description, state, task_state, task_created_at, initiator_name, \
         signed_at, reject_reason) \
         SELECT 'stp_bench_' || n, 'tsk_bench_' || n, 1, 0, p.signer, u.real_name, NULL, 'pc', \
         'any', '需要完成PC在线盖章', CASE WHEN p.state = 'completed' THEN 'signed' ELSE 'active' END, \
         p.state, p.created, i.real_name, CASE WHEN p.state = 'completed' THEN p.created END, NULL \
         FROM bench_plan p JOIN users u ON u.id = p.signer JOIN users i ON i.id = p.initiator"
            .to_owned(),
        "DROP TABLE bench_plan".to_owned(),
        // As autovacuum would leave settled rows: statistics, and the visibility map that lets
        // counts be index-only scans.
        "VACUUM ANALYZE users".to_owned(),
        "VACUUM ANALYZE tasks".to_owned(),
        "VACUUM ANALYZE task_documents".to_owned(),
        "VACUUM ANALYZE task_steps".to_owned(),
    ];
    for (i, sql) in statements.iter().enumerate() {
        db.execute_unprepared(sql)
            .await
            .with_context(|| format!("bench-seed statement {}", i + 1))?;
    }
    Ok(())
}

/// The user whose number of initiated tasks is the median among users with any: the
/// "typical user" of the benchmark.
pub async fn typical_user(db: &DatabaseConnection) -> anyhow::Result<(String, i64)> {
    let row = db
        .query_one_raw(signet_store::sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT initiator_id AS id, COUNT(*) AS n FROM tasks \
             WHERE initiator_id <> 'usr_bench_heavy' GROUP BY initiator_id ORDER BY COUNT(*) \
             OFFSET (SELECT COUNT(DISTINCT initiator_id) / 2 FROM tasks) LIMIT 1",
        ))
        .await?
        .context("no tasks")?;
    Ok((
        row.try_get::<String>("", "id")?,
        row.try_get::<i64>("", "n")?,
    ))
}
