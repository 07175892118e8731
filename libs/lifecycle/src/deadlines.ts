/**
 * The hook for upload deadlines (the compliance issue): called once per batch at ingest with the events
 * about to be recorded; what it returns is stored in lifecycle_events.rule_set / due_at / on_time. Until a
 * module provides DEADLINE_ASSESSOR (from a @Global() module, so that the ledger finds it), every event gets
 * nulls: "no deadline known".
 */
export interface DeadlineInput {
  eventId: string;
  type: string;
  /** Business time. */
  occurredAt: Date;
  /** Server time of the upload (the batch's). */
  uploadedAt: Date;
  reporterEnterpriseId: string;
  reporterRoles: readonly string[];
  /** The ledger rule set the event was checked under (chosen by its business date). */
  ledgerRuleSet: string;
  /** Whether that rule set makes the event type an upload node. */
  node: boolean;
}

export interface DeadlineAssessment {
  ruleSet: string | null;
  dueAt: Date | null;
  onTime: boolean | null;
}

export interface DeadlineAssessor {
  /** One assessment per input, in order. Must not query per event (it runs inside the ingest transaction). */
  assess(events: readonly DeadlineInput[]): DeadlineAssessment[] | Promise<DeadlineAssessment[]>;
}

export const DEADLINE_ASSESSOR = Symbol('DEADLINE_ASSESSOR');

export const NO_DEADLINES: DeadlineAssessor = {
  assess: (events) => events.map(() => ({ ruleSet: null, dueAt: null, onTime: null })),
};
