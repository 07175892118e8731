import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '#libs/common';
import { effectiveOf, EventCheck, EventCheckContext, EventCheckFinding, EventCheckInput, EventChecks, RULE_SETS } from '#libs/lifecycle';
import type { BatteryState } from '#libs/lifecycle';
import { LABEL_CAPTIONS_ZH, missingLabelFields } from './domain/label';
import { ARTICLES, CascadeRule } from './domain/rules';
import { labelData } from './views';

interface LabelRow {
  code: string;
  nominal_capacity_ah: number;
  nominal_voltage_v: number;
  firm_name: string;
  firm_address: string | null;
  place_of_origin: string | null;
  gtin: string | null;
  originals: string[] | null;
}

interface Finding {
  index: number;
  severity: 'reject' | 'warn';
  path: string;
  reason: string;
  [extra: string]: unknown;
}
const finding = (rule: CascadeRule, f: Finding): EventCheckFinding => ({ ...f, rule, article: ARTICLES[rule], reason: `${ARTICLES[rule]}: ${f.reason}` });

/**
 * Art. 15: a cascade product ships (`cascade_shipped`) only with every label field. A product assembled without a
 * product record (a raw `cascade_assembled` event through POST /v1/events) has no label data at all: by default it
 * cannot ship either (CASCADE_LABEL_UNKNOWN, refused); `CASCADE_UNLABELLED_SHIPMENT=warn` records such a shipment
 * with the warning instead (for firms migrating records made before product records existed).
 */
export const labelCheck = (unlabelled: 'reject' | 'warn'): EventCheck => ({
  name: 'cascade-label',
  async check(events: readonly EventCheckInput[], { db }: EventCheckContext): Promise<EventCheckFinding[]> {
    const shipped = events.filter((e) => e.type === 'cascade_shipped');
    if (shipped.length === 0) return [];
    const codes = [...new Set(shipped.flatMap((e) => e.batteryCodes))];
    const rows = await db.query<LabelRow[]>(
      `SELECT p.code, p.nominal_capacity_ah, p.nominal_voltage_v, p.firm_name, p.firm_address, p.place_of_origin, p.gtin,
              (SELECT array_agg(s.source_code ORDER BY s.position) FROM cascade_product_sources s WHERE s.cascade_code = p.code) AS originals
         FROM cascade_products p WHERE p.code = ANY($1::text[])`,
      [codes],
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const out: EventCheckFinding[] = [];
    for (const e of shipped) {
      for (const code of e.batteryCodes) {
        const path = e.codePath.get(code) ?? e.path;
        const row = byCode.get(code);
        if (!row) {
          out.push(
            finding(CascadeRule.LABEL_UNKNOWN, {
              index: e.index,
              severity: unlabelled,
              path,
              reason: `${code} has no cascade product record (POST /v1/cascade-products), so its label cannot be checked`,
              code,
            }),
          );
          continue;
        }
        for (const field of missingLabelFields(labelData(row, row.originals ?? []))) {
          out.push(
            finding(CascadeRule.LABEL_INCOMPLETE, {
              index: e.index,
              severity: 'reject',
              path,
              reason: `the label of ${code} lacks ${field} (${LABEL_CAPTIONS_ZH[field]}): it cannot be shipped`,
              code,
              field,
            }),
          );
        }
      }
    }
    return out;
  },
});

/**
 * Sources leave circulation (art. 15: their codes are retained in the product): an event naming a battery that is,
 * itself or through the module it is in, part of a cascade product is refused (the ledger would otherwise take it
 * out of the product, as it takes a part out of a pack). Corrections stay possible.
 */
export const sourceInProductCheck: EventCheck = {
  name: 'cascade-source-in-product',
  check(events: readonly EventCheckInput[], { states }: EventCheckContext): EventCheckFinding[] {
    const out: EventCheckFinding[] = [];
    for (const e of events) {
      if (e.type === 'correction') continue;
      for (const code of e.batteryCodes) {
        let s = states.get(code);
        for (let depth = 0; s && depth < 8; depth++) {
          if (s.status === 'in_cascade_product') {
            out.push(
              finding(CascadeRule.SOURCE_IN_PRODUCT, {
                index: e.index,
                severity: 'reject',
                path: e.codePath.get(code) ?? e.path,
                reason: `${code} is in cascade product ${s.parentCode}: it left circulation and is reported only through the product`,
                code,
                product: s.parentCode,
              }),
            );
            break;
          }
          s = s.parentCode ? states.get(s.parentCode) : undefined;
        }
      }
    }
    return out;
  },
};

/**
 * Art. 20: waste — a scrapped cascade product (status `waste`) or a battery whose latest residual test graded it
 * `recycle` (testing scrap) — goes only to a recycler on the whitelist (规范条件). Checked on every event that moves
 * it to another firm: a hand-over names the receiver as counterparty; a receipt is reported by the receiver.
 */
export function wasteHandoverCheck(mode: 'reject' | 'flag'): EventCheck {
  return {
    name: 'cascade-waste-handover',
    async check(events: readonly EventCheckInput[], { db, states }: EventCheckContext): Promise<EventCheckFinding[]> {
      const moves: { e: EventCheckInput; receiverId: string }[] = [];
      for (const e of events) {
        const rules = RULE_SETS.find((s) => s.id === e.ledgerRuleSet)?.types[e.type];
        if (!rules) continue;
        if (rules.custody === 'handover' && e.counterparty) moves.push({ e, receiverId: e.counterparty.id });
        else if (rules.custody === 'take' && rules.reporter === 'receiver') moves.push({ e, receiverId: e.reporter.id });
      }
      const effective = (code: string): Readonly<BatteryState> | undefined => {
        const s = states.get(code);
        return s ? effectiveOf(s as BatteryState, states as ReadonlyMap<string, BatteryState>) : undefined;
      };
      // Only batteries in `waste` or `tested` can be waste: most batches (deliveries, removals…) stop here, with no query.
      const candidates = moves.filter((m) => m.e.batteryCodes.some((c) => ['waste', 'tested'].includes(effective(c)?.status ?? '')));
      if (candidates.length === 0) return [];
      const tested = [...new Set(candidates.flatMap((m) => m.e.batteryCodes.filter((c) => effective(c)?.status === 'tested')))];
      const [graded, receivers] = await Promise.all([
        tested.length
          ? db.query<{ battery_code: string; grade: string }[]>(
              `SELECT DISTINCT ON (battery_code) battery_code, grade FROM residual_tests WHERE battery_code = ANY($1::text[]) ORDER BY battery_code, tested_at DESC, id DESC`,
              [tested],
            )
          : Promise.resolve([]),
        db.query<{ id: string; name: string; roles: string[]; whitelist_status: string }[]>(
          'SELECT id, name, roles, whitelist_status FROM enterprises WHERE id = ANY($1::uuid[])',
          [[...new Set(candidates.map((m) => m.receiverId))]],
        ),
      ]);
      const recycle = new Set(graded.filter((g) => g.grade === 'recycle').map((g) => g.battery_code));
      const byId = new Map(receivers.map((r) => [r.id, r]));
      const out: EventCheckFinding[] = [];
      for (const { e, receiverId } of candidates) {
        const receiver = byId.get(receiverId);
        if (!receiver || (receiver.roles.includes('recycler') && receiver.whitelist_status === 'listed')) continue;
        for (const code of e.batteryCodes) {
          const s = effective(code);
          const what = s?.status === 'waste' ? 'a scrapped cascade product' : recycle.has(code) ? 'testing scrap (its residual test graded it recycle)' : null;
          if (!what) continue;
          out.push(
            finding(CascadeRule.WASTE_TO_NON_WHITELISTED, {
              index: e.index,
              severity: mode === 'reject' ? 'reject' : 'warn',
              path: e.codePath.get(code) ?? e.path,
              reason: `${code} is ${what}: it goes only to a whitelisted recycler, and ${receiver.name} is ${receiver.roles.includes('recycler') ? `not on the whitelist (${receiver.whitelist_status})` : 'not a recycler'}`,
              code,
              name: receiver.name,
            }),
          );
        }
      }
      return out;
    },
  };
}

/** Registers the cascade rules with the ledger (EventChecks). */
@Injectable()
export class CascadeChecksRegistrar implements OnModuleInit {
  constructor(
    private readonly checks: EventChecks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.checks.register(sourceInProductCheck);
    this.checks.register(labelCheck(this.config.cascadeUnlabelledShipment));
    this.checks.register(wasteHandoverCheck(this.config.cascadeWasteHandover));
  }
}
