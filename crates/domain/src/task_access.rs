//! Who may do what with a signing task (签署任务): see it, act on a step, forward, download,
//! and which certificates and seals fit a step. Pure rules: the server gathers one caller's
//! standing towards one task ([`TaskStanding`]) and asks these functions, once per request.

use crate::access::Owner;
use crate::workflow::{SealKind, StepState, TaskState, WorkflowError};

crate::closed_set! {
    /// What a caller may do with a task now (a task view's `operations`).
    pub enum Operation (example = "sign") {
        /// 查看: the task, its documents and pages.
        View = "view",
        /// Rename, replace the steps or the deadline (a draft's initiator).
        Edit = "edit",
        /// Start a draft.
        Start = "start",
        /// Cancel a task in progress (its initiator).
        Cancel = "cancel",
        /// Sign the caller's active step (PC签署).
        Sign = "sign",
        /// Reject the caller's active step (拒签).
        Reject = "reject",
        /// Send the documents on to further signers (转发).
        Forward = "forward",
        /// Download the signed documents (下载).
        Download = "download",
        /// Initiate another task from a completed one (发起).
        InitiateMore = "initiate_more",
    }
}

/// Why a caller may not do something to a task (the access rules of DESIGN.md).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("only the initiator may download, and only a completed task")]
    DownloadNotAllowed,
    #[error("only a task in progress or completed can be forwarded")]
    NotForwardable,
    #[error("only a signer who signed may forward")]
    ForwardNotSigned,
    #[error("only documents the signer uploaded itself may be forwarded")]
    ForwardNotUploader,
    #[error("the step is someone else's")]
    NotStepSigner,
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

/// One caller's standing towards one task: the facts every task rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStanding {
    /// The task's state.
    pub state: TaskState,
    /// The caller initiated the task.
    pub initiator: bool,
    /// The state of the caller's step, when the caller signs in this task (a signer appears
    /// once per task).
    pub step: Option<StepState>,
    /// The caller uploaded every document of the task.
    pub uploaded_all: bool,
}

impl TaskStanding {
    /// The initiator always sees the task; its signers once it started. To anyone else it
    /// does not exist.
    pub fn visible(&self) -> bool {
        self.initiator || (self.state != TaskState::Draft && self.step.is_some())
    }

    /// Download (下载): the initiator only, and only once the task is completed (the seed
    /// shows 下载 only on 已完成 tasks).
    pub fn may_download(&self) -> Result<(), AccessError> {
        if self.initiator && self.state == TaskState::Completed {
            Ok(())
        } else {
            Err(AccessError::DownloadNotAllowed)
        }
    }

    /// Forwarding (转发) of a task in progress or completed: a signer who has signed, or the
    /// initiator of a completed task (发起), and only when the caller uploaded every
    /// document itself — a document from another user or an app may not be re-sent. (The
    /// right to initiate is checked too: see [`crate::access::forward_keeps_org`].)
    pub fn may_forward(&self) -> Result<(), AccessError> {
        if !matches!(self.state, TaskState::InProgress | TaskState::Completed) {
            return Err(AccessError::NotForwardable);
        }
        let signed = self.step == Some(StepState::Signed);
        if !(signed || (self.initiator && self.state == TaskState::Completed)) {
            return Err(AccessError::ForwardNotSigned);
        }
        if !self.uploaded_all {
            return Err(AccessError::ForwardNotUploader);
        }
        Ok(())
    }

    /// Signing or rejecting a step (`caller_signs_it`: the step is the caller's): only the
    /// step's signer, while the task is in progress and the step active.
    pub fn may_act_on_step(
        caller_signs_it: bool,
        task: TaskState,
        step: StepState,
    ) -> Result<(), AccessError> {
        if !caller_signs_it {
            return Err(AccessError::NotStepSigner);
        }
        if task != TaskState::InProgress {
            return Err(WorkflowError::NotInProgress.into());
        }
        if step != StepState::Active {
            return Err(WorkflowError::StepNotActive.into());
        }
        Ok(())
    }

    /// What the caller may do with the task now.
    pub fn operations(&self) -> Vec<Operation> {
        let mut ops = vec![Operation::View];
        if self.initiator && self.state == TaskState::Draft {
            ops.extend([Operation::Edit, Operation::Start]);
        }
        if self.initiator && self.state == TaskState::InProgress {
            ops.push(Operation::Cancel);
        }
        if let Some(step) = self.step
            && Self::may_act_on_step(true, self.state, step).is_ok()
        {
            ops.extend([Operation::Sign, Operation::Reject]);
        }
        if self.may_forward().is_ok() {
            ops.push(Operation::Forward);
        }
        if self.may_download().is_ok() {
            ops.extend([Operation::Download, Operation::InitiateMore]);
        }
        ops
    }
}

/// Whether a certificate or a seal owned by `owner` fits a step of `seal_kind` (盖章类型) for
/// organisation `step_org`: an organisation's only on a step that takes organisation seals,
/// and only the step's organisation when it names one; a person's only on a step that takes
/// personal seals. (Whether the caller may use it at all is the certificate and seal rules'
/// business: see [`crate::access`].)
pub fn fits_step(seal_kind: SealKind, step_org: Option<&str>, owner: Owner<'_>) -> bool {
    match owner {
        Owner::Person(_) => seal_kind.accepts(false),
        Owner::Org(org) => seal_kind.accepts(true) && step_org.is_none_or(|s| s == org),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation as O;

    fn standing(state: TaskState, initiator: bool, step: Option<StepState>) -> TaskStanding {
        TaskStanding {
            state,
            initiator,
            step,
            uploaded_all: initiator,
        }
    }

    #[test]
    fn visible_to_the_initiator_and_to_signers_once_started() {
        assert!(standing(TaskState::Draft, true, None).visible());
        assert!(!standing(TaskState::Draft, false, Some(StepState::Waiting)).visible());
        assert!(standing(TaskState::InProgress, false, Some(StepState::Waiting)).visible());
        assert!(standing(TaskState::Expired, false, Some(StepState::Active)).visible());
        assert!(!standing(TaskState::Completed, false, None).visible());
    }

    #[test]
    fn download_only_by_the_initiator_of_a_completed_task() {
        assert_eq!(
            standing(TaskState::Completed, true, None).may_download(),
            Ok(())
        );
        for st in TaskState::ALL
            .iter()
            .filter(|s| **s != TaskState::Completed)
        {
            assert_eq!(
                standing(*st, true, None).may_download(),
                Err(AccessError::DownloadNotAllowed)
            );
        }
        assert_eq!(
            standing(TaskState::Completed, false, Some(StepState::Signed)).may_download(),
            Err(AccessError::DownloadNotAllowed)
        );
    }

    #[test]
    fn forwarding_needs_a_signature_or_completion_and_own_documents() {
        let mut s = standing(TaskState::InProgress, false, Some(StepState::Signed));
        s.uploaded_all = true;
        assert_eq!(s.may_forward(), Ok(()));
        s.uploaded_all = false;
        assert_eq!(s.may_forward(), Err(AccessError::ForwardNotUploader));
        s.uploaded_all = true;
        s.step = Some(StepState::Active);
        assert_eq!(s.may_forward(), Err(AccessError::ForwardNotSigned));
        // The initiator of a completed task may (发起), of one in progress not.
        assert_eq!(
            standing(TaskState::Completed, true, None).may_forward(),
            Ok(())
        );
        assert_eq!(
            standing(TaskState::InProgress, true, None).may_forward(),
            Err(AccessError::ForwardNotSigned)
        );
        for st in [
            TaskState::Draft,
            TaskState::Rejected,
            TaskState::Cancelled,
            TaskState::Expired,
        ] {
            assert_eq!(
                standing(st, true, Some(StepState::Signed)).may_forward(),
                Err(AccessError::NotForwardable)
            );
        }
    }

    #[test]
    fn a_step_is_acted_on_by_its_signer_while_active() {
        let ok = TaskStanding::may_act_on_step(true, TaskState::InProgress, StepState::Active);
        assert_eq!(ok, Ok(()));
        assert_eq!(
            TaskStanding::may_act_on_step(false, TaskState::InProgress, StepState::Active),
            Err(AccessError::NotStepSigner)
        );
        assert_eq!(
            TaskStanding::may_act_on_step(true, TaskState::Cancelled, StepState::Active),
            Err(AccessError::Workflow(WorkflowError::NotInProgress))
        );
        for st in [StepState::Waiting, StepState::Signed, StepState::Rejected] {
            assert_eq!(
                TaskStanding::may_act_on_step(true, TaskState::InProgress, st),
                Err(AccessError::Workflow(WorkflowError::StepNotActive))
            );
        }
    }

    #[test]
    fn operations_follow_the_rules() {
        assert_eq!(
            standing(TaskState::Draft, true, None).operations(),
            [O::View, O::Edit, O::Start]
        );
        assert_eq!(
            standing(TaskState::InProgress, true, None).operations(),
            [O::View, O::Cancel]
        );
        // The initiator signing its own step (指定由本人完成盖章).
        assert_eq!(
            standing(TaskState::InProgress, true, Some(StepState::Active)).operations(),
            [O::View, O::Cancel, O::Sign, O::Reject]
        );
        assert_eq!(
            standing(TaskState::InProgress, false, Some(StepState::Waiting)).operations(),
            [O::View]
        );
        let mut signed = standing(TaskState::InProgress, false, Some(StepState::Signed));
        assert_eq!(signed.operations(), [O::View]);
        signed.uploaded_all = true;
        assert_eq!(signed.operations(), [O::View, O::Forward]);
        assert_eq!(
            standing(TaskState::Completed, true, None).operations(),
            [O::View, O::Forward, O::Download, O::InitiateMore]
        );
        assert_eq!(
            standing(TaskState::Rejected, true, Some(StepState::Rejected)).operations(),
            [O::View]
        );
    }

    #[test]
    fn certificates_and_seals_fit_the_step() {
        let person = Owner::Person("u1");
        let org = Owner::Org("o1");
        let other = Owner::Org("o2");
        assert!(fits_step(SealKind::Personal, None, person));
        assert!(!fits_step(SealKind::Personal, Some("o1"), org));
        assert!(fits_step(SealKind::Organization, Some("o1"), org));
        assert!(!fits_step(SealKind::Organization, Some("o1"), other));
        assert!(!fits_step(SealKind::Organization, Some("o1"), person));
        assert!(fits_step(SealKind::Organization, None, other));
        assert!(fits_step(SealKind::Any, Some("o1"), person));
        assert!(fits_step(SealKind::Any, Some("o1"), org));
        assert!(!fits_step(SealKind::Any, Some("o1"), other));
        assert!(fits_step(SealKind::Any, None, other));
    }
}
