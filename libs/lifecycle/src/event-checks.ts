import { Injectable } from '@nestjs/common';
import type { ErrorDetail } from '#libs/common';
import type { EntityManager } from 'typeorm';
import type { BatteryState } from './domain/battery-state';
import type { EventType } from './domain/event-types';
import type { KnownEnterprise, Resolved } from './domain/plan';
import type { LedgerRule, RuleDetail } from './domain/rules';

/**
 * Rules that other bounded contexts add to the ledger (an outlet must be the reporter's, a cascade product needs
 * its label fields before it ships, waste goes only to whitelisted recyclers, …) without the ledger knowing them.
 * A check sees the batch's well-formed events before the state machine runs, inside the ingest transaction (dry
 * runs and uploads included), and may refuse an event or add a warning to it. A refusal is a rejection like the
 * ledger's own: the event is not recorded, and in an atomic batch nothing is.
 *
 * A check must not query per event: one statement for the batch at most (it runs on the hot path of ingest).
 */
export interface EventCheckInput {
  /** The event's position in the batch (results use the same index). */
  index: number;
  /** How the event is named in reasons: `events[3]` or an upload row. */
  path: string;
  type: EventType;
  /** The ledger rule set chosen by the business date (`cn-2018`, `cn-2026`). */
  ledgerRuleSet: string;
  batteryCodes: readonly string[];
  /** Where each code came from in the request, for a reason's path. */
  codePath: ReadonlyMap<string, string>;
  occurredAt: Date;
  clientEventId: string | null;
  reporter: KnownEnterprise;
  counterparty: KnownEnterprise | null;
  regionCode: string | null;
  vin: string | null;
  payload: Readonly<Record<string, unknown>>;
  /** Payload codes by field name (replacementCode, cascadeCode, parentCode). */
  payloadCodes: Readonly<Record<string, string>>;
}

export interface EventCheckContext {
  /** The ingest transaction (or the dry run's): read through it. */
  db: EntityManager;
  dryRun: boolean;
  /**
   * The state before this batch of every battery the batch names and of the batteries they are inside
   * (absent: not registered). Read only: the state machine has not applied the batch yet.
   * Statements run under the ledger's plan settings (generic plans, no sequential scans): make them index look-ups.
   */
  states: ReadonlyMap<string, Readonly<BatteryState>>;
}

export interface EventCheckFinding {
  /** The event's index (EventCheckInput.index). */
  index: number;
  /** `reject`: the event is refused; `warn`: recorded, with a warning in its result. */
  severity: 'reject' | 'warn';
  /** A stable rule code of the check's own (e.g. `OUTLET_NOT_REGISTERED`); translated like the ledger's rules. */
  rule: string;
  /** The field the finding is about (defaults to the event's path). */
  path?: string;
  /** What is wrong and, where it comes from a regulation, which article (e.g. "2021 measures art. 20"). */
  reason: string;
  /** Values for translated messages and clients (e.g. `{ outletId }`). */
  [extra: string]: unknown;
}

export interface EventCheck {
  /** Names the check in logs and errors. */
  readonly name: string;
  check(events: readonly EventCheckInput[], context: EventCheckContext): readonly EventCheckFinding[] | Promise<readonly EventCheckFinding[]>;
}

/**
 * The checks registered by other modules. A module adds its check once, at start-up:
 * `constructor(checks: EventChecks) {}  onModuleInit() { this.checks.register(myCheck) }` (import LifecycleModule).
 * Register from a module that the worker loads too (compose it in libs/workers as well as in the API): uploads
 * are ingested by the worker process, and must meet the same rules as POST /v1/events.
 */
@Injectable()
export class EventChecks {
  private readonly checks: EventCheck[] = [];

  register(check: EventCheck): void {
    if (this.checks.some((c) => c.name === check.name)) throw new Error(`An event check named '${check.name}' is registered already`);
    this.checks.push(check);
  }

  get size(): number {
    return this.checks.length;
  }

  /**
   * Runs every check on the batch's well-formed events. Refused events become rejected items (with every
   * check's reasons); warnings are returned by index, for the results of events that are recorded.
   */
  async apply(items: Resolved[], reporter: KnownEnterprise, context: EventCheckContext): Promise<{ items: Resolved[]; warnings: Map<number, ErrorDetail[]> }> {
    const warnings = new Map<number, ErrorDetail[]>();
    if (this.checks.length === 0) return { items, warnings };
    const inputs: EventCheckInput[] = [];
    for (const item of items) {
      if (!item.ok) continue;
      const c = item.candidate;
      inputs.push({
        index: c.index,
        path: c.path,
        type: c.type,
        ledgerRuleSet: c.ruleSet.id,
        batteryCodes: c.batteryCodes,
        codePath: c.codePath,
        occurredAt: new Date(c.occurredAt),
        clientEventId: c.clientEventId,
        reporter,
        counterparty: c.counterparty,
        regionCode: c.regionCode,
        vin: c.vin,
        payload: c.payload,
        payloadCodes: c.payloadCodes,
      });
    }
    if (inputs.length === 0) return { items, warnings };
    const refused = new Map<number, RuleDetail[]>();
    for (const check of this.checks) {
      for (const f of await check.check(inputs, context)) {
        const { index, severity, rule, path, reason, ...extra } = f;
        const input = inputs.find((i) => i.index === index);
        if (!input) continue;
        const d = { ...extra, path: path ?? input.path, rule: rule as LedgerRule, reason };
        const into = severity === 'reject' ? refused : warnings;
        const list = into.get(index) ?? [];
        list.push(d);
        into.set(index, list as RuleDetail[]);
      }
    }
    if (refused.size === 0) return { items, warnings };
    return {
      items: items.map((item) => {
        if (!item.ok) return item;
        const reasons = refused.get(item.candidate.index);
        return reasons ? { ok: false, reasons, clientEventId: item.candidate.clientEventId } : item;
      }),
      warnings,
    };
  }
}
