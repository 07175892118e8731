/**
 * The planner's vocabulary: what a batch plan takes (PlanInput) and what it gives back (Plan: per-event results and
 * the rows to write), and how a batch names enterprises.
 */
import type { ErrorDetail } from '#libs/common';
import type { BatteryState } from './battery-state';
import type { EventContent } from './canonical';
import type { Candidate } from './prevalidate';
import type { RuleDetail } from './rules';

export interface KnownEnterprise {
  id: string;
  uscc: string;
  name: string;
  roles: readonly string[];
  regionCode: string | null;
}

export interface ResolvedCandidate extends Candidate {
  counterparty: KnownEnterprise | null;
  content: EventContent;
  contentHash: Buffer;
  /** contentHash as hex, for maps. */
  hashKey: string;
}

export type Resolved = { ok: true; candidate: ResolvedCandidate } | { ok: false; reasons: RuleDetail[]; clientEventId: string | null };

export type EventResultStatus = 'accepted' | 'duplicate' | 'rejected';
export type BatchStatus = 'ACCEPTED' | 'PARTIALLY_ACCEPTED' | 'REJECTED';

export interface IngestResult {
  index: number;
  status: EventResultStatus;
  /** accepted: the new event's id (absent in a dry run); duplicate: the id of the event it repeats. */
  eventId?: string;
  clientEventId?: string | null;
  /** duplicate: what matched an earlier event. */
  duplicateOf?: 'clientEventId' | 'contentHash' | 'registration';
  /** accepted as a custody claim (no event yet): the claim's id (absent in a dry run). */
  claimId?: string;
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}

export interface IngestCounts {
  total: number;
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** An earlier event that a correction names. */
export interface CorrectionTarget {
  id: string;
  reporterEnterpriseId: string;
  type: string;
  affectedCodes: readonly string[];
}

/** Findings of the code registry (manufacturer code, coding-rule filing) about a code to be registered. */
export interface CodeFindings {
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
}

export interface PlanInput {
  reporter: KnownEnterprise;
  items: readonly Resolved[];
  /** Every battery the batch names, and every battery those are inside. */
  states: Map<string, BatteryState>;
  /** For messages: who holds what. */
  enterprises: ReadonlyMap<string, { uscc: string; name: string }>;
  priorByClientId: ReadonlyMap<string, { id: string; hashKey: string }>;
  priorByHash: ReadonlyMap<string, string>;
  corrections: ReadonlyMap<string, CorrectionTarget>;
  codeFindings: ReadonlyMap<string, CodeFindings>;
  mode: 'atomic' | 'partial';
  newId: () => string;
  /** How event number i is named in reasons (e.g. `events[3]`). */
  pathOf: (index: number) => string;
  /**
   * The enterprise confirming a custody claim (libs/custody): a receipt naming it as the sender is checked as a
   * hand-over it reported (it must still hold the batteries) instead of becoming a claim again.
   */
  confirmedSender?: string | null;
}

/** A receipt by a firm no hand-over to is pending: kept as a claim on the sender it names until that one decides. */
export interface PlannedClaim {
  index: number;
  id: string;
  senderId: string;
  candidate: ResolvedCandidate;
}

export interface PlannedEvent {
  index: number;
  id: string;
  content: EventContent;
  contentHash: Buffer;
  /** contentHash as hex. */
  hashKey: string;
}

export interface PlannedLink {
  batteryCode: string;
  seq: number;
  eventId: string;
  prevHash: Buffer;
  linkHash: Buffer;
}

export interface ComponentStart {
  parentCode: string;
  childCode: string;
  startedAt: number;
  startEventId: string;
  endedAt: number | null;
  endEventId: string | null;
}

export interface ComponentEnd {
  parentCode: string;
  childCode: string;
  endedAt: number;
  endEventId: string;
}

export interface OriginLink {
  cascadeCode: string;
  originalCode: string;
  eventId: string;
  assembledAt: number;
}

export interface PartyLink {
  batteryCode: string;
  enterpriseId: string;
  eventId: string;
  at: number;
}

export interface Plan {
  status: BatchStatus;
  counts: IngestCounts;
  results: IngestResult[];
  events: PlannedEvent[];
  links: PlannedLink[];
  batteriesToInsert: BatteryState[];
  batteriesToUpdate: BatteryState[];
  componentStarts: ComponentStart[];
  componentEnds: ComponentEnd[];
  origins: OriginLink[];
  parties: PartyLink[];
  claims: PlannedClaim[];
}

/**
 * What the checks and the appliers of a batch read: the reporter, every battery's state (which the appliers change,
 * so that later events of the batch see earlier ones) and the database's findings. A PlanInput is one.
 */
export type BatchContext = Pick<PlanInput, 'reporter' | 'states' | 'enterprises' | 'corrections' | 'codeFindings' | 'confirmedSender'>;

/** How an enterprise is named in reasons. */
export function nameOf(ctx: BatchContext, id: string | null): string {
  if (id === null) return 'nobody';
  if (id === ctx.reporter.id) return `you (${ctx.reporter.uscc})`;
  const e = ctx.enterprises.get(id);
  return e ? `${e.name} (${e.uscc})` : `enterprise ${id}`;
}
