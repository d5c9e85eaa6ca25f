//! The plan: numbered steps the user accepts, edits or rejects before anything runs.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a step stands. Steps move forward only: pending → running → done | failed,
/// or pending → skipped. A step interrupted by a crash goes back from running to pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Running,
    Done,
    Failed,
    Skipped,
}

impl StepStatus {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            StepStatus::Done | StepStatus::Failed | StepStatus::Skipped
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Running => "running",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
        }
    }

    fn may_become(self, to: StepStatus) -> bool {
        use StepStatus::*;
        matches!(
            (self, to),
            (Pending, Running) | (Pending, Skipped) | (Running, Done) | (Running, Failed)
                // A crash leaves a step running; resuming puts it back in line.
                | (Running, Pending)
                // Retrying a failed step.
                | (Failed, Pending)
        )
    }
}

/// One step of a plan: what it does, what it reads, what it produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Position in the plan, from 1.
    pub number: u32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// What the step reads, in the user's words or as paths.
    #[serde(default)]
    pub reads: Vec<String>,
    /// What the step produces (files or results).
    #[serde(default)]
    pub produces: Vec<String>,
    /// Whether the step performs actions that need the user's approval.
    #[serde(default)]
    pub needs_approval: bool,
    /// A machine-readable kind for the offline executor (`catalog`, `classify`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Parameters of `kind` (pattern, folder names, the change set...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub params: serde_json::Value,
    #[serde(default = "pending")]
    pub status: StepStatus,
    /// What the step left for later steps (never a transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn pending() -> StepStatus {
    StepStatus::Pending
}

impl Step {
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Step {
        Step {
            number: 0,
            title: title.into(),
            description: description.into(),
            reads: Vec::new(),
            produces: Vec::new(),
            needs_approval: false,
            kind: None,
            params: serde_json::Value::Null,
            status: StepStatus::Pending,
            note: None,
        }
    }
}

/// Errors raised by plan edits and step transitions.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("step {0} does not exist in this plan")]
    NoSuchStep(u32),
    #[error("step {number} cannot go from {from} to {to}")]
    BadTransition {
        number: u32,
        from: &'static str,
        to: &'static str,
    },
    #[error("step {0} has already started and can no longer be edited")]
    AlreadyStarted(u32),
    #[error("a plan needs at least one step")]
    Empty,
}

/// An ordered list of steps, with the questions the planner wants answered first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    #[serde(default)]
    pub questions: Vec<String>,
    /// A short explanation for the user (e.g. why a brief is unsupported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// What the planner learnt while surveying the folder (document types, clients,
    /// extracted fields), kept with the plan so steps and resumed runs re-ground on it.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub context: serde_json::Value,
}

impl Plan {
    pub fn new(steps: Vec<Step>) -> Plan {
        let mut plan = Plan {
            steps,
            questions: Vec::new(),
            summary: None,
            context: serde_json::Value::Null,
        };
        plan.renumber();
        plan
    }

    /// Numbers steps 1..=n in their current order.
    pub fn renumber(&mut self) {
        for (i, step) in self.steps.iter_mut().enumerate() {
            step.number = i as u32 + 1;
        }
    }

    pub fn step(&self, number: u32) -> Result<&Step, PlanError> {
        self.steps
            .iter()
            .find(|s| s.number == number)
            .ok_or(PlanError::NoSuchStep(number))
    }

    fn step_mut(&mut self, number: u32) -> Result<&mut Step, PlanError> {
        self.steps
            .iter_mut()
            .find(|s| s.number == number)
            .ok_or(PlanError::NoSuchStep(number))
    }

    /// Moves a step to a new status, refusing transitions the state machine forbids.
    pub fn transition(&mut self, number: u32, to: StepStatus) -> Result<(), PlanError> {
        let step = self.step_mut(number)?;
        if !step.status.may_become(to) {
            return Err(PlanError::BadTransition {
                number,
                from: step.status.as_str(),
                to: to.as_str(),
            });
        }
        step.status = to;
        Ok(())
    }

    /// The first step still waiting to run.
    pub fn next_pending(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.status == StepStatus::Pending)
    }

    /// After a crash: steps left `running` go back to `pending`; finished ones stay finished.
    pub fn reset_interrupted(&mut self) -> Vec<u32> {
        let mut reset = Vec::new();
        for step in &mut self.steps {
            if step.status == StepStatus::Running {
                step.status = StepStatus::Pending;
                reset.push(step.number);
            }
        }
        reset
    }

    pub fn is_finished(&self) -> bool {
        self.steps.iter().all(|s| s.status.is_finished())
    }

    pub fn any_failed(&self) -> bool {
        self.steps.iter().any(|s| s.status == StepStatus::Failed)
    }

    fn ensure_editable(&self, number: u32) -> Result<(), PlanError> {
        let step = self.step(number)?;
        if step.status != StepStatus::Pending {
            return Err(PlanError::AlreadyStarted(number));
        }
        Ok(())
    }

    /// Rewords a pending step.
    pub fn reword(
        &mut self,
        number: u32,
        title: Option<String>,
        description: Option<String>,
    ) -> Result<(), PlanError> {
        self.ensure_editable(number)?;
        let step = self.step_mut(number)?;
        if let Some(t) = title {
            step.title = t;
        }
        if let Some(d) = description {
            step.description = d;
        }
        Ok(())
    }

    /// Removes a pending step.
    pub fn remove(&mut self, number: u32) -> Result<Step, PlanError> {
        self.ensure_editable(number)?;
        if self.steps.len() == 1 {
            return Err(PlanError::Empty);
        }
        let idx = self
            .steps
            .iter()
            .position(|s| s.number == number)
            .ok_or(PlanError::NoSuchStep(number))?;
        let removed = self.steps.remove(idx);
        self.renumber();
        Ok(removed)
    }

    /// Inserts a step at 1-based position `at` (clamped to the end), after any started step.
    pub fn insert(&mut self, at: u32, step: Step) {
        let first_editable = self
            .steps
            .iter()
            .position(|s| s.status == StepStatus::Pending)
            .unwrap_or(self.steps.len());
        let idx = (at.saturating_sub(1) as usize)
            .max(first_editable)
            .min(self.steps.len());
        self.steps.insert(idx, step);
        self.renumber();
    }

    /// Moves pending step `number` to 1-based position `to`.
    pub fn reorder(&mut self, number: u32, to: u32) -> Result<(), PlanError> {
        self.ensure_editable(number)?;
        let step = self.remove_unchecked(number)?;
        self.insert(to, step);
        Ok(())
    }

    fn remove_unchecked(&mut self, number: u32) -> Result<Step, PlanError> {
        let idx = self
            .steps
            .iter()
            .position(|s| s.number == number)
            .ok_or(PlanError::NoSuchStep(number))?;
        Ok(self.steps.remove(idx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan3() -> Plan {
        Plan::new(vec![
            Step::new("Read", ""),
            Step::new("Sort", ""),
            Step::new("Report", ""),
        ])
    }

    #[test]
    fn steps_are_numbered_from_one_in_order() {
        let plan = plan3();
        let numbers: Vec<u32> = plan.steps.iter().map(|s| s.number).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
    }

    #[test]
    fn a_step_runs_then_finishes_and_cannot_run_again() {
        let mut plan = plan3();
        plan.transition(1, StepStatus::Running).unwrap();
        plan.transition(1, StepStatus::Done).unwrap();
        assert_eq!(
            plan.transition(1, StepStatus::Running),
            Err(PlanError::BadTransition {
                number: 1,
                from: "done",
                to: "running"
            })
        );
        assert_eq!(plan.next_pending().map(|s| s.number), Some(2));
    }

    #[test]
    fn a_pending_step_cannot_jump_to_done() {
        let mut plan = plan3();
        assert!(plan.transition(2, StepStatus::Done).is_err());
        assert!(plan.transition(9, StepStatus::Running).is_err());
    }

    #[test]
    fn resuming_puts_interrupted_steps_back_and_keeps_finished_ones() {
        let mut plan = plan3();
        plan.transition(1, StepStatus::Running).unwrap();
        plan.transition(1, StepStatus::Done).unwrap();
        plan.transition(2, StepStatus::Running).unwrap();
        assert_eq!(plan.reset_interrupted(), vec![2]);
        assert_eq!(plan.step(1).unwrap().status, StepStatus::Done);
        assert_eq!(plan.next_pending().map(|s| s.number), Some(2));
    }

    #[test]
    fn edits_touch_only_pending_steps() {
        let mut plan = plan3();
        plan.transition(1, StepStatus::Running).unwrap();
        assert_eq!(
            plan.reword(1, Some("x".into()), None),
            Err(PlanError::AlreadyStarted(1))
        );
        plan.reword(2, Some("Classify".into()), None).unwrap();
        assert_eq!(plan.step(2).unwrap().title, "Classify");
        plan.reorder(3, 2).unwrap();
        let titles: Vec<&str> = plan.steps.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["Read", "Report", "Classify"]);
        // Inserting before a started step lands after it.
        plan.insert(1, Step::new("New", ""));
        assert_eq!(plan.steps[1].title, "New");
        plan.remove(2).unwrap();
        assert_eq!(plan.steps.len(), 3);
    }

    #[test]
    fn the_last_step_cannot_be_removed() {
        let mut plan = Plan::new(vec![Step::new("Only", "")]);
        assert_eq!(plan.remove(1), Err(PlanError::Empty));
    }
}
