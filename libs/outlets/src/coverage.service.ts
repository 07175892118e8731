import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enterpriseInRegionSql, readScope } from '#libs/access';
import { Principal } from '#libs/common';
import { EnterpriseErrors } from '#libs/enterprises';
import { regionInfo } from '#libs/regions';
import { DataSource } from 'typeorm';
import { activeOn, todayInChina } from './domain/dates';
import { CoverageDuty, CoverageLevel, CoverageRole, coverageRuleSetOn, regionKey } from './domain/coverage-rules';
import type { CoverageDutyView, CoverageQuery, CoverageRegionView, CoverageView } from './dto';
import { OutletsErrors } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLES: readonly CoverageRole[] = ['vehicle_maker', 'battery_maker', 'cascade_utiliser'];

/** The end of a Beijing-time date, as a bound for occurred_at. */
const END_OF = `(($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/**
 * Where sales go, per region key (2 or 4 digits), up to the end of the date:
 * - vehicle maker: its vehicle_sold events (index-only on lifecycle_events_sales_region_idx);
 * - battery maker: vehicle_sold events of packs that carry its manufacturer codes;
 * - cascade utiliser: its cascade_shipped events.
 * Sales reported by a dealer on its own account (溯源管理暂行规定 art. 12) are not attributed to the vehicle maker.
 */
const SALES: Record<CoverageRole, (digits: number) => string> = {
  vehicle_maker: (n) => `
    SELECT left(e.region_code, ${n}) AS k, count(*)::int AS n FROM lifecycle_events e
     WHERE e.type = 'vehicle_sold' AND e.reporter_enterprise_id = $1 AND e.region_code IS NOT NULL AND e.occurred_at < ${END_OF}
     GROUP BY 1`,
  battery_maker: (n) => `
    SELECT left(e.region_code, ${n}) AS k, count(DISTINCT b.code)::int AS n
      FROM manufacturer_codes m
      JOIN batteries b ON b.manufacturer_code = m.code AND b.product_type = 'pack'
      JOIN battery_event_chain ch ON ch.battery_code = b.code
      JOIN lifecycle_events e ON e.id = ch.event_id AND e.type = 'vehicle_sold'
     WHERE m.enterprise_id = $1 AND e.region_code IS NOT NULL AND e.occurred_at < ${END_OF}
     GROUP BY 1`,
  cascade_utiliser: (n) => `
    SELECT left(e.region_code, ${n}) AS k, count(*)::int AS n FROM lifecycle_events e
     WHERE e.type = 'cascade_shipped' AND e.reporter_enterprise_id = $1 AND e.region_code IS NOT NULL AND e.occurred_at < ${END_OF}
     GROUP BY 1`,
};

/**
 * Outlet coverage against sales (2019 guide / 2021 cascade measures art. 19 / 2026 measures, by the date): for each
 * role of the enterprise with a duty, every region it sold into, whether an own, co-built or entrusted outlet active
 * on the date is there; gaps first. The enterprise itself, regulators for enterprises registered in their region now or
 * before, admins (the policy's reading by the firm).
 */
@Injectable()
export class CoverageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async coverage(enterpriseId: string, query: CoverageQuery, principal: Principal): Promise<CoverageView> {
    // An enterprise's coverage is read as the enterprise is (by the firm): itself; a regulator the firms registered
    // in its region now or before; an admin all. Others' answer as an unknown id (404), not 403.
    const scope = readScope(principal);
    const params: unknown[] = [enterpriseId];
    const param = (v: unknown) => `$${params.push(v)}`;
    const visible =
      scope.kind === 'all'
        ? 'true'
        : scope.kind === 'enterprise'
          ? `e.id = ${param(scope.enterpriseId)}::uuid`
          : enterpriseInRegionSql('e.id', scope.prefix, param);
    const [enterprise] = UUID.test(enterpriseId)
      ? await this.dataSource.query<{ id: string; roles: string[] }[]>(`SELECT e.id, e.roles FROM enterprises e WHERE e.id = $1 AND ${visible}`, params)
      : [];
    if (!enterprise) throw EnterpriseErrors.notFound(enterpriseId);
    const roles = ROLES.filter((r) => enterprise.roles.includes(r));
    if (roles.length === 0) throw OutletsErrors.noCoverageDuty(enterprise.id, enterprise.roles);
    const on = query.on ?? todayInChina();
    return { enterpriseId: enterprise.id, on, duties: await this.dutiesOf(enterprise.id, roles, on) };
  }

  /**
   * The coverage duties of an enterprise with these roles on a date, without access checks: for other modules'
   * reports (the cascade obligations report, art. 19), which check access themselves.
   */
  async dutiesOf(enterpriseId: string, roles: readonly string[], on: string): Promise<CoverageDutyView[]> {
    const set = coverageRuleSetOn(on);
    const outlets = await this.dataSource.query<{ region_code: string; opened_on: string; changes: { on: string; to: string }[] }[]>(
      `SELECT o.region_code, o.opened_on::text AS opened_on,
              COALESCE((SELECT json_agg(json_build_object('on', s.effective_on::text, 'to', s.to_status) ORDER BY s.effective_on, s.id)
                          FROM outlet_status_changes s WHERE s.outlet_id = o.id), '[]') AS changes
         FROM outlets o
        WHERE o.opened_on <= $2::date
          AND (o.owner_enterprise_id = $1 OR o.id IN (SELECT outlet_id FROM outlet_partners WHERE enterprise_id = $1))`,
      [enterpriseId, on],
    );
    const active = outlets.filter((o) => activeOn(o, on)).map((o) => o.region_code);
    const duties: CoverageDutyView[] = [];
    for (const role of ROLES.filter((r) => roles.includes(r))) duties.push(await this.duty(set.id, set.duties[role], enterpriseId, on, active));
    return duties;
  }

  private async duty(ruleSet: string, duty: CoverageDuty, enterpriseId: string, on: string, outletRegions: string[]): Promise<CoverageDutyView> {
    const level: CoverageLevel = duty.level ?? duty.listLevel;
    const sales = await this.dataSource.query<{ k: string; n: number }[]>(SALES[duty.role](level === 'province' ? 2 : 4), [enterpriseId, on]);
    const outletsByKey = new Map<string, number>();
    for (const code of outletRegions) outletsByKey.set(regionKey(code, level), (outletsByKey.get(regionKey(code, level)) ?? 0) + 1);
    const items: CoverageRegionView[] = sales.map(({ k, n }) => {
      const outlets = outletsByKey.get(k) ?? 0;
      const info = regionInfo(k.padEnd(6, '0'));
      return { regionKey: k, regionName: info?.fullName ?? k, sales: n, outlets, covered: outlets > 0, required: duty.level !== null };
    });
    const gap = (i: CoverageRegionView) => (i.required && !i.covered ? 0 : 1);
    items.sort((a, b) => gap(a) - gap(b) || b.sales - a.sales || a.regionKey.localeCompare(b.regionKey));
    return {
      role: duty.role,
      ruleSet,
      level: duty.level,
      basis: duty.basis,
      salesSource: duty.sales,
      regions: items.length,
      gaps: items.filter((i) => i.required && !i.covered).length,
      items,
    };
  }
}
