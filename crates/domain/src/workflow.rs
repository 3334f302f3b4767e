//! The signing workflow as pure state machines (DESIGN.md "Workflow").
//!
//! A task goes `draft → in_progress → completed`, or from `in_progress` to `rejected`,
//! `cancelled` or `expired`. Its steps go `waiting → active → signed`, or `active → rejected`.
//! Steps with the same order number are active together; the next order starts when every
//! step of the current one is signed; the task completes when the last order is signed.
//!
//! Every transition is a function from the current [`Workflow`] to a new one plus the
//! [`Event`]s to record, or a [`WorkflowError`]; nothing is changed in place, so the caller can
//! apply the result inside one database transaction guarded by a version column.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::closed_set! {
    pub enum TaskState (example = "in_progress") {
        Draft = "draft",
        InProgress = "in_progress",
        Completed = "completed",
        Rejected = "rejected",
        Cancelled = "cancelled",
        Expired = "expired",
    }
}

impl TaskState {
    /// No transition leaves these.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Draft | Self::InProgress)
    }
}

crate::closed_set! {
    pub enum StepState (example = "active") {
        Waiting = "waiting",
        Active = "active",
        Signed = "signed",
        Rejected = "rejected",
    }
}

/// One step: who signs is the caller's business; here only its id, order and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    /// Steps with the same order are signed in parallel; lower orders first.
    pub order: u32,
    pub state: StepState,
}

/// A task's state and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub state: TaskState,
    pub steps: Vec<Step>,
    /// After this time an in-progress task expires.
    pub deadline: Option<DateTime<Utc>>,
}

/// What happened, to be recorded (audit trail, notifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    TaskStarted,
    StepActivated { step: String },
    StepSigned { step: String },
    StepRejected { step: String, reason: String },
    TaskCompleted,
    TaskRejected,
    TaskCancelled,
    TaskExpired,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("only a draft can be started")]
    NotDraft,
    #[error("a task needs at least one step")]
    NoSteps,
    #[error("the task is not in progress")]
    NotInProgress,
    #[error("no such step")]
    UnknownStep,
    #[error("the step is not waiting for its signature")]
    StepNotActive,
    #[error("the deadline has not passed")]
    NotDue,
    #[error("a rejection needs a reason")]
    NoReason,
}

/// The result of a transition.
pub type Transition = Result<(Workflow, Vec<Event>), WorkflowError>;

impl Workflow {
    pub fn new(steps: Vec<Step>, deadline: Option<DateTime<Utc>>) -> Self {
        Self {
            state: TaskState::Draft,
            steps,
            deadline,
        }
    }

    fn step_index(&self, id: &str) -> Result<usize, WorkflowError> {
        self.steps
            .iter()
            .position(|s| s.id == id)
            .ok_or(WorkflowError::UnknownStep)
    }

    /// The lowest order that still has unsigned steps.
    fn current_order(&self) -> Option<u32> {
        self.steps
            .iter()
            .filter(|s| s.state != StepState::Signed)
            .map(|s| s.order)
            .min()
    }

    /// Activates every waiting step of the current order.
    fn activate_current(&mut self, events: &mut Vec<Event>) {
        if let Some(order) = self.current_order() {
            for s in self.steps.iter_mut().filter(|s| s.order == order) {
                if s.state == StepState::Waiting {
                    s.state = StepState::Active;
                    events.push(Event::StepActivated { step: s.id.clone() });
                }
            }
        }
    }

    /// The active steps (those that may sign now).
    pub fn active_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.state == StepState::Active)
    }

    /// `draft → in_progress`; the steps of the lowest order become active.
    pub fn start(&self) -> Transition {
        if self.state != TaskState::Draft {
            return Err(WorkflowError::NotDraft);
        }
        if self.steps.is_empty() {
            return Err(WorkflowError::NoSteps);
        }
        let mut next = self.clone();
        next.state = TaskState::InProgress;
        let mut events = vec![Event::TaskStarted];
        next.activate_current(&mut events);
        Ok((next, events))
    }

    /// An active step signs. When it was the last unsigned step of its order the next order
    /// becomes active; when it was the last of all, the task completes.
    pub fn sign(&self, step: &str) -> Transition {
        if self.state != TaskState::InProgress {
            return Err(WorkflowError::NotInProgress);
        }
        let i = self.step_index(step)?;
        if self.steps[i].state != StepState::Active {
            return Err(WorkflowError::StepNotActive);
        }
        let mut next = self.clone();
        next.steps[i].state = StepState::Signed;
        let mut events = vec![Event::StepSigned {
            step: step.to_owned(),
        }];
        if next.steps.iter().all(|s| s.state == StepState::Signed) {
            next.state = TaskState::Completed;
            events.push(Event::TaskCompleted);
        } else {
            next.activate_current(&mut events);
        }
        Ok((next, events))
    }

    /// An active step rejects (with a reason): the task is rejected.
    pub fn reject(&self, step: &str, reason: &str) -> Transition {
        if self.state != TaskState::InProgress {
            return Err(WorkflowError::NotInProgress);
        }
        if reason.trim().is_empty() {
            return Err(WorkflowError::NoReason);
        }
        let i = self.step_index(step)?;
        if self.steps[i].state != StepState::Active {
            return Err(WorkflowError::StepNotActive);
        }
        let mut next = self.clone();
        next.steps[i].state = StepState::Rejected;
        next.state = TaskState::Rejected;
        Ok((
            next,
            vec![
                Event::StepRejected {
                    step: step.to_owned(),
                    reason: reason.trim().to_owned(),
                },
                Event::TaskRejected,
            ],
        ))
    }

    /// The initiator cancels an in-progress task (who may is the access rules' business).
    pub fn cancel(&self) -> Transition {
        if self.state != TaskState::InProgress {
            return Err(WorkflowError::NotInProgress);
        }
        let mut next = self.clone();
        next.state = TaskState::Cancelled;
        Ok((next, vec![Event::TaskCancelled]))
    }

    /// An in-progress task past its deadline expires (the expiry job calls this).
    pub fn expire(&self, now: DateTime<Utc>) -> Transition {
        if self.state != TaskState::InProgress {
            return Err(WorkflowError::NotInProgress);
        }
        match self.deadline {
            Some(d) if now > d => {
                let mut next = self.clone();
                next.state = TaskState::Expired;
                Ok((next, vec![Event::TaskExpired]))
            }
            _ => Err(WorkflowError::NotDue),
        }
    }
}

/// Largest number of documents in one task.
pub const MAX_DOCUMENTS: usize = 20;
/// Largest number of steps in one task.
pub const MAX_STEPS: usize = 50;
/// Longest task, document or seal name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest step description or rejection reason, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

crate::closed_set! {
    /// The channel a step is signed through (签署模式).
    pub enum SignMode (example = "pc") {
        /// PC签署: the panel in a desktop browser.
        Pc = "pc",
        /// 手机签署: a mobile browser.
        Mobile = "mobile",
        /// Either channel.
        Any = "any",
    }
}

impl SignMode {
    /// Whether a step of this mode may be signed through `channel`.
    pub fn allows(self, channel: Channel) -> bool {
        match self {
            Self::Any => true,
            Self::Pc => channel == Channel::Pc,
            Self::Mobile => channel == Channel::Mobile,
        }
    }

    /// The step description the seed platform shows when the initiator gives none.
    pub fn default_description(self) -> &'static str {
        match self {
            Self::Pc => "需要完成PC在线盖章",
            Self::Mobile => "需要完成手机在线盖章",
            Self::Any => "需要完成在线盖章",
        }
    }
}

/// The channel a signing request comes through, told by its User-Agent: a mobile browser
/// (the UA names a mobile platform, or carries "Mobi" as browsers do on phones), or anything
/// else — desktop browsers and applications over the API count as PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Pc,
    Mobile,
}

impl Channel {
    pub fn from_user_agent(ua: &str) -> Self {
        const MOBILE: [&str; 5] = ["Mobi", "Android", "iPhone", "iPad", "HarmonyOS"];
        if MOBILE.iter().any(|m| ua.contains(m)) {
            Self::Mobile
        } else {
            Self::Pc
        }
    }
}

crate::closed_set! {
    /// Which seals a step accepts.
    pub enum SealKind (example = "organization") {
        /// The signer's own seals and certificates.
        Personal = "personal",
        /// Seals and certificates of the step's acting organisation.
        Organization = "organization",
        /// Either.
        Any = "any",
    }
}

impl SealKind {
    /// Whether a seal owned by an organisation (`true`) or a person fits this step.
    pub fn accepts(self, org_owned: bool) -> bool {
        match self {
            Self::Personal => !org_owned,
            Self::Organization => org_owned,
            Self::Any => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, order: u32) -> Step {
        Step {
            id: id.into(),
            order,
            state: StepState::Waiting,
        }
    }

    fn states(w: &Workflow) -> Vec<(&str, StepState)> {
        w.steps.iter().map(|s| (s.id.as_str(), s.state)).collect()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn sequential_and_parallel_orders() {
        // a (1) → b and c together (2) → d (5; gaps in numbering are fine).
        let w = Workflow::new(
            vec![step("b", 2), step("a", 1), step("c", 2), step("d", 5)],
            None,
        );
        let (w, ev) = w.start().unwrap();
        assert_eq!(w.state, TaskState::InProgress);
        assert_eq!(
            ev,
            vec![
                Event::TaskStarted,
                Event::StepActivated { step: "a".into() }
            ]
        );
        assert_eq!(w.sign("b").unwrap_err(), WorkflowError::StepNotActive);
        let (w, ev) = w.sign("a").unwrap();
        assert_eq!(
            ev,
            vec![
                Event::StepSigned { step: "a".into() },
                Event::StepActivated { step: "b".into() },
                Event::StepActivated { step: "c".into() },
            ]
        );
        // Parallel: c signs first, d waits until b signs too.
        let (w, ev) = w.sign("c").unwrap();
        assert_eq!(ev, vec![Event::StepSigned { step: "c".into() }]);
        assert_eq!(
            w.active_steps().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(w.sign("c").unwrap_err(), WorkflowError::StepNotActive);
        let (w, ev) = w.sign("b").unwrap();
        assert_eq!(ev.last(), Some(&Event::StepActivated { step: "d".into() }));
        let (w, ev) = w.sign("d").unwrap();
        assert_eq!(w.state, TaskState::Completed);
        assert_eq!(ev.last(), Some(&Event::TaskCompleted));
        assert!(states(&w).iter().all(|(_, s)| *s == StepState::Signed));
        // Nothing moves a completed task.
        assert_eq!(w.cancel().unwrap_err(), WorkflowError::NotInProgress);
        assert_eq!(w.start().unwrap_err(), WorkflowError::NotDraft);
        assert!(w.state.is_final());
    }

    #[test]
    fn rejection_cancellation_expiry() {
        let draft = Workflow::new(
            vec![step("a", 1), step("b", 1)],
            Some(t("2026-12-01T00:00:00Z")),
        );
        assert_eq!(draft.sign("a").unwrap_err(), WorkflowError::NotInProgress);
        assert_eq!(draft.cancel().unwrap_err(), WorkflowError::NotInProgress);
        let (w, _) = draft.start().unwrap();
        assert_eq!(w.reject("a", "  ").unwrap_err(), WorkflowError::NoReason);
        assert_eq!(
            w.reject("zz", "no").unwrap_err(),
            WorkflowError::UnknownStep
        );
        let (r, ev) = w.reject("b", " 金额有误 ").unwrap();
        assert_eq!(r.state, TaskState::Rejected);
        assert_eq!(
            ev,
            vec![
                Event::StepRejected {
                    step: "b".into(),
                    reason: "金额有误".into()
                },
                Event::TaskRejected
            ]
        );
        assert_eq!(r.sign("a").unwrap_err(), WorkflowError::NotInProgress);
        let (c, ev) = w.cancel().unwrap();
        assert_eq!(
            (c.state, ev),
            (TaskState::Cancelled, vec![Event::TaskCancelled])
        );
        assert_eq!(
            w.expire(t("2026-11-30T00:00:00Z")).unwrap_err(),
            WorkflowError::NotDue
        );
        let (e, ev) = w.expire(t("2026-12-01T00:00:01Z")).unwrap();
        assert_eq!(
            (e.state, ev),
            (TaskState::Expired, vec![Event::TaskExpired])
        );
        assert_eq!(
            e.expire(t("2027-01-01T00:00:00Z")).unwrap_err(),
            WorkflowError::NotInProgress
        );
        // Without a deadline nothing expires.
        let (n, _) = Workflow::new(vec![step("a", 1)], None).start().unwrap();
        assert_eq!(
            n.expire(t("2099-01-01T00:00:00Z")).unwrap_err(),
            WorkflowError::NotDue
        );
        // A task without steps cannot start.
        assert_eq!(
            Workflow::new(vec![], None).start().unwrap_err(),
            WorkflowError::NoSteps
        );
    }

    #[test]
    fn every_state_name_round_trips() {
        for s in [
            TaskState::Draft,
            TaskState::InProgress,
            TaskState::Completed,
            TaskState::Rejected,
            TaskState::Cancelled,
            TaskState::Expired,
        ] {
            assert_eq!(TaskState::parse(s.as_str()), Some(s));
        }
        for s in [
            StepState::Waiting,
            StepState::Active,
            StepState::Signed,
            StepState::Rejected,
        ] {
            assert_eq!(StepState::parse(s.as_str()), Some(s));
        }
        assert_eq!(TaskState::parse("done"), None);
        assert_eq!(StepState::parse(""), None);
    }

    /// Every sequence of operations on a small task keeps the invariants: at most the steps
    /// of one order are active, no step ever goes back, and completed means all signed.
    #[test]
    fn invariants_hold_for_every_sequence() {
        let base = Workflow::new(
            vec![step("a", 1), step("b", 2), step("c", 2), step("d", 3)],
            Some(t("2026-12-01T00:00:00Z")),
        );
        type Op = Box<dyn Fn(&Workflow) -> Transition>;
        let ops: Vec<Op> = vec![
            Box::new(|w| w.start()),
            Box::new(|w| w.sign("a")),
            Box::new(|w| w.sign("b")),
            Box::new(|w| w.sign("c")),
            Box::new(|w| w.sign("d")),
            Box::new(|w| w.reject("c", "no")),
            Box::new(|w| w.cancel()),
            Box::new(|w| w.expire(t("2026-12-02T00:00:00Z"))),
        ];
        let rank = |s: StepState| match s {
            StepState::Waiting => 0,
            StepState::Active => 1,
            StepState::Signed | StepState::Rejected => 2,
        };
        let mut frontier = vec![base];
        for _ in 0..7 {
            let mut next = Vec::new();
            for w in &frontier {
                for op in &ops {
                    if let Ok((n, events)) = op(w) {
                        assert!(!events.is_empty());
                        let orders: std::collections::BTreeSet<u32> =
                            n.active_steps().map(|s| s.order).collect();
                        assert!(orders.len() <= 1, "{n:?}");
                        for (before, after) in w.steps.iter().zip(&n.steps) {
                            assert!(rank(after.state) >= rank(before.state), "{w:?} -> {n:?}");
                        }
                        if n.state == TaskState::Completed {
                            assert!(n.steps.iter().all(|s| s.state == StepState::Signed));
                        }
                        if w.state.is_final() {
                            panic!("a final task moved: {w:?} -> {n:?}");
                        }
                        next.push(n);
                    }
                }
            }
            frontier = next;
        }
    }

    #[test]
    fn modes_and_seal_kinds_round_trip() {
        for m in [SignMode::Pc, SignMode::Mobile, SignMode::Any] {
            assert_eq!(SignMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(SignMode::Pc.default_description(), "需要完成PC在线盖章");
        for k in [SealKind::Personal, SealKind::Organization, SealKind::Any] {
            assert_eq!(SealKind::parse(k.as_str()), Some(k));
        }
        assert!(SealKind::Personal.accepts(false) && !SealKind::Personal.accepts(true));
        assert!(SealKind::Organization.accepts(true) && !SealKind::Organization.accepts(false));
        assert!(SealKind::Any.accepts(true) && SealKind::Any.accepts(false));
        assert_eq!(SignMode::parse("fax"), None);
        let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(Channel::from_user_agent(desktop), Channel::Pc);
        assert_eq!(Channel::from_user_agent(""), Channel::Pc);
        assert_eq!(Channel::from_user_agent(phone), Channel::Mobile);
        assert_eq!(Channel::from_user_agent(iphone), Channel::Mobile);
        for (mode, pc, mobile) in [
            (SignMode::Pc, true, false),
            (SignMode::Mobile, false, true),
            (SignMode::Any, true, true),
        ] {
            assert_eq!(mode.allows(Channel::Pc), pc);
            assert_eq!(mode.allows(Channel::Mobile), mobile);
        }
        assert_eq!(SealKind::parse(""), None);
    }
}
