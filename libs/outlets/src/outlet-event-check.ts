import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventCheck, EventCheckContext, EventCheckFinding, EventCheckInput, EventChecks, RULE_SETS } from '#libs/lifecycle';
import { activeOn, chinaDate } from './domain/dates';
import { outletRuleSetOn, OutletType, stockLimitT } from './domain/rules';
import { OutletEventRule } from './errors';
import { OutletStockService } from './outlet-stock.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASIS = '溯源管理暂行规定 art. 11; 2019 outlet guide';

interface OutletFacts {
  id: string;
  code: string | null;
  owner_enterprise_id: string;
  type: OutletType;
  capacity_t: string;
  storage_area_m2: string;
  opened_on: string;
  partner_ids: string[];
  changes: { on: string; to: string }[];
}

function mayReport(e: EventCheckInput): boolean {
  const roles = RULE_SETS.find((s) => s.id === e.ledgerRuleSet)?.types[e.type]?.roles ?? [];
  return roles.some((r) => e.reporter.roles.includes(r));
}

/**
 * The ledger check of outlet events (EVENT_CHECKS hook): `outlet_received` must name, in payload.outletId, an
 * outlet of the reporter (own, co-built or entrusted: by its registry id; own: also by the owner's code) that is
 * active on the event's business date; so must `outlet_handed_over` when it takes a battery out of an outlet's
 * stock (status at_outlet), and whenever it names an outlet at all. A receipt beyond the outlet's limit is
 * recorded with a warning and a flag (outlet_stock_flags) for compliance reports.
 */
@Injectable()
export class OutletEventCheck implements EventCheck, OnModuleInit {
  readonly name = 'outlets';

  constructor(
    private readonly checks: EventChecks,
    private readonly stock: OutletStockService,
  ) {}

  onModuleInit(): void {
    this.checks.register(this);
  }

  async check(events: readonly EventCheckInput[], context: EventCheckContext): Promise<EventCheckFinding[]> {
    // A reporter without a role for the type gets the ledger's ROLE rejection alone (this check would only add noise).
    const relevant = events.filter((e) => (e.type === 'outlet_received' || e.type === 'outlet_handed_over') && mayReport(e));
    if (relevant.length === 0) return [];
    const findings: EventCheckFinding[] = [];
    const named: { e: EventCheckInput; ref: string }[] = [];
    for (const e of relevant) {
      const ref = typeof e.payload.outletId === 'string' ? e.payload.outletId.trim() : '';
      if (ref) {
        named.push({ e, ref });
        continue;
      }
      // Only about the reporter's own stock: a reason about someone else's battery would tell where it is.
      const fromStock =
        e.type === 'outlet_handed_over' &&
        e.batteryCodes.some((c) => context.states.get(c)?.status === 'at_outlet' && context.states.get(c)?.holderId === e.reporter.id);
      if (e.type === 'outlet_received' || fromStock) {
        findings.push({
          index: e.index,
          severity: 'reject',
          rule: OutletEventRule.OUTLET_ID_REQUIRED,
          path: `${e.path}.payload.outletId`,
          reason: `${e.type} must name the reporter's recycling service outlet in payload.outletId (its registry id or the owner's outlet code) (${BASIS})`,
        });
      }
    }
    if (named.length === 0) return findings;
    const reporterId = named[0].e.reporter.id;
    const refs = [...new Set(named.map((n) => n.ref))];
    const outlets = await context.db.query<OutletFacts[]>(
      `SELECT o.id, o.code, o.owner_enterprise_id, o.type, o.capacity_t::text AS capacity_t, o.storage_area_m2::text AS storage_area_m2,
              o.opened_on::text AS opened_on,
              ARRAY(SELECT p.enterprise_id::text FROM outlet_partners p WHERE p.outlet_id = o.id) AS partner_ids,
              COALESCE((SELECT json_agg(json_build_object('on', s.effective_on::text, 'to', s.to_status) ORDER BY s.effective_on, s.id)
                          FROM outlet_status_changes s WHERE s.outlet_id = o.id), '[]') AS changes
         FROM outlets o
        WHERE o.id = ANY($1::uuid[]) OR (o.owner_enterprise_id = $2 AND o.code = ANY($3::text[]))`,
      [refs.filter((r) => UUID.test(r)), reporterId, refs],
    );
    const receipts = new Map<string, { facts: OutletFacts; events: { e: EventCheckInput; ref: string }[] }>();
    for (const n of named) {
      const { e, ref } = n;
      const own = outlets.find((o) => o.owner_enterprise_id === reporterId && (o.id === ref.toLowerCase() || o.code === ref));
      const byId = UUID.test(ref) ? outlets.find((o) => o.id === ref.toLowerCase()) : undefined;
      const outlet = own ?? (byId && byId.partner_ids.includes(reporterId) ? byId : undefined);
      const path = `${e.path}.payload.outletId`;
      if (!outlet) {
        if (byId) {
          findings.push({
            index: e.index,
            severity: 'reject',
            rule: OutletEventRule.OUTLET_NOT_REPORTERS,
            path,
            outletId: ref,
            reason: `outlet ${ref} is not an outlet the reporter owns, co-builds or is entrusted with (${BASIS})`,
          });
        } else {
          findings.push({
            index: e.index,
            severity: 'reject',
            rule: OutletEventRule.OUTLET_UNREGISTERED,
            path,
            outletId: ref,
            reason: `'${ref}' names no outlet of the reporter in the outlet registry (register it with POST /v1/outlets; ${BASIS})`,
          });
        }
        continue;
      }
      const date = chinaDate(e.occurredAt);
      if (!activeOn(outlet, date)) {
        findings.push({
          index: e.index,
          severity: 'reject',
          rule: OutletEventRule.OUTLET_NOT_ACTIVE,
          path,
          outletId: ref,
          date,
          reason: `outlet ${ref} is not active on ${date} (opened ${outlet.opened_on}; a suspended or closed outlet takes no batteries in or out)`,
        });
        continue;
      }
      if (e.type === 'outlet_received') {
        const entry = receipts.get(outlet.id) ?? { facts: outlet, events: [] };
        entry.events.push(n);
        receipts.set(outlet.id, entry);
      }
    }
    for (const { facts, events: list } of receipts.values()) findings.push(...(await this.overLimit(facts, list, context)));
    return findings;
  }

  /** Warnings (and, outside dry runs, flags) for receipts that take the stock beyond the outlet's limit. */
  private async overLimit(o: OutletFacts, list: { e: EventCheckInput; ref: string }[], context: EventCheckContext): Promise<EventCheckFinding[]> {
    const facts = { type: o.type, storageAreaM2: Number(o.storage_area_m2), capacityT: Number(o.capacity_t) };
    const out: EventCheckFinding[] = [];
    const figures = await this.stock.figures(context.db, { id: o.id, code: o.code, ownerId: o.owner_enterprise_id, partnerIds: o.partner_ids });
    let stockKg = figures.massT * 1000;
    for (const { e, ref } of list) {
      const { limitT, rule, source } = stockLimitT(facts, outletRuleSetOn(chinaDate(e.occurredAt)));
      stockKg += e.batteryCodes.reduce((sum, c) => sum + (context.states.get(c)?.massKg ?? 0), 0);
      const stockT = Math.round(stockKg) / 1000;
      if (stockT <= limitT) continue;
      out.push({
        index: e.index,
        severity: 'warn',
        rule: OutletEventRule.OUTLET_OVER_LIMIT,
        path: `${e.path}.payload.outletId`,
        outletId: ref,
        stockT,
        limitT,
        reason: `after this receipt outlet ${ref} holds ${stockT} t, beyond its limit of ${limitT} t (${rule}: ${source}); recorded and flagged for compliance`,
      });
      if (!context.dryRun) {
        await context.db.query(
          `INSERT INTO outlet_stock_flags (outlet_id, outlet_ref, reporter_enterprise_id, occurred_at, battery_codes, rule, stock_t, limit_t)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
          [o.id, String(e.payload.outletId), e.reporter.id, e.occurredAt, e.batteryCodes, rule, stockT, limitT],
        );
      }
    }
    return out;
  }
}
