import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { requireActingEnterprise } from '#libs/access';
import { AuditService } from '#libs/audit';
import type { DecodedBatteryCode } from '#libs/battery-code';
import { BatteriesService, EventRow } from '#libs/batteries';
import { CodesService } from '#libs/codes';
import { Actor, forbidden, Principal } from '#libs/common';
import { CONFLICT_ATTEMPTS, isRetryableConflict, PreparedStatement } from '#libs/database';
import { Metrics } from '#libs/operations';
import { DataSource, EntityManager } from 'typeorm';
import { LEDGER_WRITE_LOCK } from './checkpoints/checkpoint.service';
import { DEADLINE_ASSESSOR, DeadlineAssessor, NO_DEADLINES } from './deadlines';
import { EventChecks } from './event-checks';
import { concealUnseen, knownFromBatch, revealedCodes } from './domain/conceal';
import { ChainVerification, StoredEvent, StoredLink, verifyChain } from './domain/canonical';
import { EventType, MAX_EVENTS_PER_BATCH, ruleSetFor } from './domain/event-types';
import { chinaDate } from './domain/field-spec';
import {
  affectedCodesOf,
  BatchStatus,
  CodeFindings,
  IngestCounts,
  IngestResult,
  KnownEnterprise,
  Plan,
  planBatch,
  Resolved,
  resolveCandidates,
} from './domain/plan';
import { insertClaims } from './claims-store';
import { findByContent, loadForBatch, writeBatch } from './ledger-store';
import { Candidate, prevalidate } from './domain/prevalidate';
import { uuidv7 } from './domain/uuid';
import { LedgerErrors } from './errors';

export interface IngestOptions {
  /** atomic: all or nothing; partial (default): the valid events are recorded. */
  mode: 'atomic' | 'partial';
  /** Validate everything (the state machine included) and write nothing. */
  dryRun: boolean;
  /** How event number i is named in reasons. Default `events[i]` (the JSON body); uploads name rows. */
  pathOf?: (index: number) => string;
  /**
   * Run inside the caller's transaction (so that the caller's own rows commit with the events). Then a
   * conflict with a concurrent batch is not retried here: the error aborts the caller's transaction.
   */
  manager?: EntityManager;
  /**
   * Recording a custody claim its sender confirmed (libs/custody): the receipt naming this enterprise as the sender is
   * checked as a hand-over from it, and the event counts as uploaded when the claim was made (`uploadedAt`).
   */
  confirmedSender?: string;
  uploadedAt?: Date;
  /** Who sends the batch, for the ingest counters of `/metrics` (default `api`: POST /v1/events). */
  source?: IngestSource;
}

/** The paths into the ledger's ingest, as `/metrics` labels them. */
export type IngestSource = 'api' | 'registration' | 'upload' | 'custody' | 'residual_tests' | 'cascade_products';

export interface IngestResponse {
  status: BatchStatus;
  mode: 'atomic' | 'partial';
  dryRun: boolean;
  counts: IngestCounts;
  results: IngestResult[];
}

interface EnterpriseRow {
  id: string;
  uscc: string;
  name: string;
  roles: string[];
  region_code: string | null;
}

/** The columns of a stored event that its content hash covers (the registry's event row, less times it does not hash). */
export type EventRowForVerify = Omit<EventRow, 'uploaded_at' | 'rule_set' | 'due_at' | 'on_time'>;

/** The columns verification needs from lifecycle_events (select them with this list). */
export const VERIFY_EVENT_COLUMNS = `e.id, e.type, e.schema_version, e.occurred_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
  e.region_code, e.vin, e.battery_codes, e.client_event_id, e.content_hash, e.payload, e.correction_of`;

/** A stored event row as verification reads it. */
export function toStoredEvent(r: EventRowForVerify): StoredEvent {
  return {
    id: r.id,
    type: r.type,
    schemaVersion: r.schema_version,
    batteryCodes: r.battery_codes,
    occurredAt: r.occurred_at.getTime(),
    reporterEnterpriseId: r.reporter_enterprise_id,
    counterpartyEnterpriseId: r.counterparty_enterprise_id,
    regionCode: r.region_code,
    vin: r.vin,
    payload: r.payload,
    correctionOf: r.correction_of,
    clientEventId: r.client_event_id,
    contentHash: r.content_hash,
    affectedCodes: affectedCodesOf(r.battery_codes, r.payload, r.type),
  };
}

/** The reporter and the counterparties a batch names (a named prepared statement: it runs for every batch). */
const BATCH_ENTERPRISES = new PreparedStatement<EnterpriseRow>(
  'ledger.batch_enterprises',
  'SELECT id, uscc, name, roles, region_code FROM enterprises WHERE id = $1 OR uscc = ANY($2::bpchar[])',
);

/**
 * The plan settings of the ledger's statements, for the current transaction (see ingest): generic plans, and no
 * sequential scans. Every statement that runs under them must be an index lookup at every step.
 */
const PLAN_SETTINGS_SQL = `set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true)`;
const PLAN_SETTINGS = new PreparedStatement('ledger.plan_settings', `SELECT ${PLAN_SETTINGS_SQL}`);
/** The first statement of an ingest transaction: the shared ledger lock and the plan settings. */
const BATCH_SETTINGS = new PreparedStatement('ledger.batch_settings', `SELECT pg_advisory_xact_lock_shared($1), ${PLAN_SETTINGS_SQL}`);

/**
 * The ledger's write side. One batch costs a constant number of statements whatever its size: enterprises and
 * code-registry findings; then, in its transaction, the batteries' state (locked in code order) with earlier
 * events of the same client ids and the corrected events; earlier events of the same content, when any event
 * can repeat one; and one statement writing every table.
 */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);
  private readonly deadlines: DeadlineAssessor;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly codes: CodesService,
    private readonly batteries: BatteriesService,
    private readonly checks: EventChecks,
    @Optional() @Inject(DEADLINE_ASSESSOR) deadlines?: DeadlineAssessor,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.deadlines = deadlines ?? NO_DEADLINES;
  }

  /**
   * Records a batch of raw events (plain objects shaped like the items of POST /v1/events). Only enterprise
   * keys report events. Events later in the batch see the effect of earlier ones.
   */
  async ingest(rawEvents: readonly unknown[], options: IngestOptions, actor: Actor): Promise<IngestResponse> {
    const principal = requireActingEnterprise(actor.principal, 'ledger.write');
    if (rawEvents.length > MAX_EVENTS_PER_BATCH) throw LedgerErrors.tooManyEvents(rawEvents.length, MAX_EVENTS_PER_BATCH);
    const pathOf = options.pathOf ?? ((i: number) => `events[${i}]`);
    const now = Date.now();

    const pre = rawEvents.map((raw, i) => prevalidate(raw, i, pathOf(i), now));
    const candidates = pre.flatMap((p) => (p.ok ? [p.candidate] : []));

    const usccs = [...new Set(candidates.flatMap((c) => (c.counterpartyUscc ? [c.counterpartyUscc] : [])))];
    // Independent look-ups, on two pooled connections at once.
    const [enterpriseRows, codeFindings] = await Promise.all([
      BATCH_ENTERPRISES.run(this.dataSource, [principal.enterpriseId, usccs]),
      this.codeFindings(principal.enterpriseId, candidates),
    ]);
    const reporterRow = enterpriseRows.find((e) => e.id === principal.enterpriseId);
    if (!reporterRow) throw forbidden('The enterprise of this API key no longer exists');
    const known = (e: EnterpriseRow): KnownEnterprise => ({ id: e.id, uscc: e.uscc, name: e.name, roles: e.roles, regionCode: e.region_code });
    const reporter = known(reporterRow);
    const byUscc = new Map(enterpriseRows.map((e) => [e.uscc, known(e)]));
    const items = resolveCandidates(pre, reporter, byUscc);

    for (let attempt = 1; ; attempt++) {
      try {
        const run = async (manager: EntityManager) => {
          // Held (shared) until commit: a checkpoint takes it exclusively to cut the ledger at committed links.
          // Generic plans for this transaction's statements: a custom plan estimates `= ANY($n)` element by element,
          // and with a batch's 500 codes, ids and hashes that planning cost more than running the statements. The
          // load and the write are prepared once per connection (see ledger-store) and every step of them is an
          // index lookup: without sequential scans, the plan built on a nearly empty table is that one too.
          await BATCH_SETTINGS.runIn(manager, [LEDGER_WRITE_LOCK]);
          const planned = await this.plan(manager, true, reporter, items, codeFindings, options, pathOf);
          if (planned.events.length > 0) await this.write(manager, planned, reporter, principal, actor, options);
          if (planned.claims.length > 0) await this.recordClaims(manager, planned, principal, actor);
          return planned;
        };
        // A dry run reads without locking, in a transaction of its own only for the same plan settings: its
        // statements are prepared like the ingest's, and a plan cached with sequential scans on a small table
        // made a dry run of 500 events take 0.8 s once the tables had grown (measured).
        const dry = async (manager: EntityManager) => {
          await PLAN_SETTINGS.runIn(manager, []);
          return this.plan(manager, false, reporter, items, codeFindings, options, pathOf);
        };
        const plan = options.dryRun
          ? options.manager
            ? await dry(options.manager)
            : await this.dataSource.transaction(dry)
          : options.manager
            ? await run(options.manager)
            : await this.dataSource.transaction(run);
        if (!options.dryRun) this.count(options.source ?? 'api', plan.counts);
        return {
          status: plan.status,
          mode: options.mode,
          dryRun: options.dryRun,
          counts: plan.counts,
          results: options.dryRun ? plan.results.map((r) => (r.status === 'accepted' ? { ...r, eventId: undefined, claimId: undefined } : r)) : plan.results,
        };
      } catch (error) {
        const code = (error as { code?: string }).code;
        // A concurrent batch registered the same battery or used the same client id first: evaluate again,
        // now seeing its rows (they become duplicates or conflicts).
        if (isRetryableConflict(error) && attempt < CONFLICT_ATTEMPTS && !options.manager) {
          this.logger.debug(`ingest retry ${attempt} after ${code}`);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * The ingest counters (absent in a process without #libs/operations, such as the worker app). Counted when the
   * batch is decided: inside a caller's transaction (`options.manager`) that later rolls back, e.g. an upload batch
   * retried after a crash, the events are counted again when retried.
   */
  private count(source: IngestSource, counts: IngestCounts): void {
    if (!this.metrics) return;
    for (const outcome of ['accepted', 'duplicate', 'rejected'] as const)
      if (counts[outcome] > 0) this.metrics.ingestEvents.inc({ source, outcome }, counts[outcome]);
  }

  private async codeFindings(enterpriseId: string, candidates: readonly Candidate[]): Promise<Map<string, CodeFindings>> {
    const toRegister: DecodedBatteryCode[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      const codes = c.rules.special === 'register' ? c.batteryCodes : c.rules.special === 'assemble_cascade' ? [c.payloadCodes.cascadeCode] : [];
      for (const code of codes) {
        if (seen.has(code)) continue;
        seen.add(code);
        toRegister.push(c.decoded.get(code)!);
      }
    }
    const findings = new Map<string, CodeFindings>();
    if (toRegister.length === 0) return findings;
    const checks = await this.codes.checkBatteryRegistrations(enterpriseId, toRegister);
    toRegister.forEach((d, i) => {
      const { errors, warnings } = checks[i];
      if (errors.length || warnings.length) findings.set(d.code, { errors, warnings });
    });
    return findings;
  }

  private async plan(
    db: EntityManager,
    lock: boolean,
    reporter: KnownEnterprise,
    items: Resolved[],
    codeFindings: Map<string, CodeFindings>,
    options: IngestOptions,
    pathOf: (i: number) => string,
  ): Promise<Plan> {
    const codes = new Set<string>();
    const clientIds: string[] = [];
    const corrections: string[] = [];
    const enterprises = new Map<string, { uscc: string; name: string }>();
    for (const item of items) {
      if (!item.ok) continue;
      const c = item.candidate;
      for (const code of c.batteryCodes) codes.add(code);
      for (const code of Object.values(c.payloadCodes)) codes.add(code);
      if (c.clientEventId !== null) clientIds.push(c.clientEventId);
      if (c.correctionOf !== null) corrections.push(c.correctionOf);
      if (c.counterparty) enterprises.set(c.counterparty.id, c.counterparty);
    }
    const loaded = await loadForBatch(db, { reporterId: reporter.id, codes: [...codes], clientIds, corrections, lock });
    for (const [id, e] of loaded.names) enterprises.set(id, e);
    // Content duplicates. An event recorded about a battery moved that battery's last event time to its own
    // business time (the order rule keeps that time from going back), corrections excepted: an event can only
    // repeat an earlier one if it is a correction, or if its first battery's last event is not earlier than it.
    // Only those are looked up (a first battery not registered yet has no events at all).
    const firstCodes: string[] = [];
    const hashes: Buffer[] = [];
    for (const item of items) {
      if (!item.ok) continue;
      const c = item.candidate;
      const first = loaded.states.get(c.batteryCodes[0]);
      if (c.rules.special === 'correction' || (first !== undefined && c.occurredAt <= first.lastEventAt)) {
        firstCodes.push(c.batteryCodes[0]);
        hashes.push(c.contentHash);
      }
    }
    for (const [hashKey, id] of await findByContent(db, reporter.id, firstCodes, hashes)) loaded.priorByHash.set(hashKey, id);
    // Other contexts' rules (outlets, cascade products, whitelists): refused events enter the plan as rejected.
    const checked = await this.checks.apply(items, reporter, { db, dryRun: !lock, states: loaded.states });
    const plan = planBatch({
      reporter,
      items: checked.items,
      states: loaded.states,
      enterprises,
      priorByClientId: loaded.priorByClientId,
      priorByHash: loaded.priorByHash,
      corrections: loaded.corrections,
      codeFindings,
      mode: options.mode,
      newId: () => uuidv7(),
      pathOf,
      confirmedSender: options.confirmedSender ?? null,
    });
    // Rejections tell about batteries only those who may see them (conceal.ts); the look-up runs only when a
    // rejection tells about a battery the batch does not show the reporter to know.
    const unsure = [...revealedCodes(plan.results)].filter((code) => !knownFromBatch(reporter.id, code, loaded.states, plan.parties));
    if (unsure.length > 0) {
      const visible = await this.batteries.visibleTo(db, reporter.id, unsure);
      concealUnseen(plan.results, new Set(unsure.filter((code) => !visible.has(code))));
    }
    for (const r of plan.results) {
      const extra = r.status === 'accepted' ? checked.warnings.get(r.index) : undefined;
      if (extra) r.warnings = [...(r.warnings ?? []), ...extra];
    }
    return plan;
  }

  private async write(
    db: EntityManager,
    plan: Plan,
    reporter: KnownEnterprise,
    principal: Extract<Principal, { kind: 'enterprise' }>,
    actor: Actor,
    options: IngestOptions,
  ): Promise<void> {
    const uploadedAt = options.uploadedAt ?? new Date();
    // Without an assessor every event gets nulls: skip building its inputs (one object and Date per event).
    const deadlines =
      this.deadlines === NO_DEADLINES
        ? null
        : await this.deadlines.assess(
            plan.events.map((e) => {
              const set = ruleSetFor(chinaDate(e.content.occurredAt));
              return {
                eventId: e.id,
                type: e.content.type,
                occurredAt: new Date(e.content.occurredAt),
                uploadedAt,
                reporterEnterpriseId: reporter.id,
                reporterRoles: reporter.roles,
                ledgerRuleSet: set.id,
                node: set.types[e.content.type as EventType].node,
              };
            }),
          );
    const ev = plan.events;
    // The events carry their reporter, key and upload time themselves; the audit trail records the request.
    // The audit row is written by the batch's write statement (same transaction, one round trip fewer).
    const record = {
      action: 'lifecycle.events_recorded',
      entityType: 'lifecycle_event_batch',
      entityId: ev[0].id,
      data: { mode: options.mode, ...plan.counts, firstEventId: ev[0].id, lastEventId: ev[ev.length - 1].id },
    };
    await writeBatch(db, plan, {
      reporterId: reporter.id,
      reporterKeyId: principal.keyId,
      uploadedAt,
      deadlines,
      audit: (param) => this.audit.insertStatement(actor, record, param),
    });
  }

  /** Custody claims (receipts by a receiver no hand-over to is pending), with the audit row. */
  private async recordClaims(db: EntityManager, plan: Plan, principal: Extract<Principal, { kind: 'enterprise' }>, actor: Actor): Promise<void> {
    await insertClaims(db, plan, { enterpriseId: principal.enterpriseId, keyId: principal.keyId, requestId: actor.requestId }, new Date());
    const ids = plan.claims.map((c) => plan.results[c.index].claimId!);
    await this.audit.record(db, actor, { action: 'custody.claims_made', entityType: 'custody_claim', entityId: ids[0], data: { claimIds: ids } });
  }

  // ---- verification ----------------------------------------------------------------------------------

  /** Recomputes a battery's hash chain, after checking that the principal may see the battery. */
  async verifyBattery(input: string, principal: Principal): Promise<ChainVerification> {
    const code = this.batteries.normaliseCode(input);
    await this.batteries.assertVisible(code, principal);
    return this.verifyChainOf(code);
  }

  /** Recomputes one battery's chain from the stored rows (no access check: for jobs such as checkpoints). */
  async verifyChainOf(code: string, db: EntityManager = this.dataSource.manager): Promise<ChainVerification> {
    const [links, events, heads] = await Promise.all([
      db.query<{ seq: number; event_id: string; prev_hash: Buffer; link_hash: Buffer }[]>(
        'SELECT seq, event_id, prev_hash, link_hash FROM battery_event_chain WHERE battery_code = $1 ORDER BY seq',
        [code],
      ),
      db.query<EventRowForVerify[]>(
        `SELECT ${VERIFY_EVENT_COLUMNS} FROM lifecycle_events e WHERE e.id IN (SELECT event_id FROM battery_event_chain WHERE battery_code = $1)`,
        [code],
      ),
      db.query<{ chain_seq: number; chain_head: Buffer }[]>('SELECT chain_seq, chain_head FROM batteries WHERE code = $1', [code]),
    ]);
    const stored: StoredLink[] = links.map((l) => ({ seq: l.seq, eventId: l.event_id, prevHash: l.prev_hash, linkHash: l.link_hash }));
    const byId = new Map(events.map((e) => [e.id, toStoredEvent(e)]));
    const head = heads[0] ? { seq: heads[0].chain_seq, hash: heads[0].chain_head } : null;
    return verifyChain(code, stored, byId, head);
  }
}
