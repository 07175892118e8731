import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, Page, Principal, toPage, validationFailed } from '#libs/common';
import { regionInfo } from '#libs/regions';
import { DataSource, EntityManager } from 'typeorm';
import { assertCanEditOutlet, assertCanInspectOutlet, canReadOutlet, ownerForNewOutlet, outletVisibilitySql } from './access';
import { todayInChina } from './domain/dates';
import { checkOutlet, OutletRuleSet, outletRuleSetOn, OutletStatus } from './domain/rules';
import type { CreateOutletDto, OutletInspectionDto, OutletListQuery, OutletPartnerDto, OutletStatusDto, OutletView, UpdateOutletDto } from './dto';
import { OutletsErrors } from './errors';
import { OutletStockService } from './outlet-stock.service';
import { InspectionRow, OUTLET_COLUMNS, OUTLET_FROM, OutletRow, StatusChangeRow, toInspectionView, toOutletView, toStatusChangeView } from './views';

/** A closed outlet stays closed (a new outlet is registered instead); active and suspended go both ways. */
const NEXT_STATUS: Record<OutletStatus, readonly OutletStatus[]> = {
  active: ['suspended', 'closed'],
  suspended: ['active', 'closed'],
  closed: [],
};

/**
 * The outlet registry (回收服务网点). The facility rules of the rule set in force on the day of the write are
 * checked on every create and update; status changes and inspections are appended, never edited; outlets are
 * never deleted (closed instead). Every write is audited in its transaction. Access: see access.ts.
 */
@Injectable()
export class OutletsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly stock: OutletStockService,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async create(dto: CreateOutletDto, actor: Actor): Promise<OutletView> {
    const ownerId = ownerForNewOutlet(actor.principal, dto.ownerEnterpriseId);
    const id = await this.dataSource.transaction((manager) => this.register(manager, dto, ownerId, actor));
    return this.get(id, actor.principal);
  }

  /**
   * Checks and inserts one outlet in the caller's transaction (the API and the bulk upload share it). Throws a
   * DomainException, before writing anything, for anything wrong with the row.
   */
  async register(manager: EntityManager, dto: CreateOutletDto, ownerId: string, actor: Actor, pathPrefix = ''): Promise<string> {
    const ruleSet = outletRuleSetOn(todayInChina());
    const violations = checkOutlet(dto, ruleSet);
    if (violations.length) throw OutletsErrors.ruleViolations(violations, ruleSet.id, pathPrefix);
    await this.checkEnterprises(
      manager,
      ownerId,
      dto.partners ?? [],
      dto.ownerEnterpriseId !== undefined ? `${pathPrefix}ownerEnterpriseId` : `${pathPrefix}owner`,
      pathPrefix,
    );
    const region = regionInfo(dto.regionCode)!;
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO outlets (owner_enterprise_id, code, name, type, address, region_code, region_code_submitted, lat, lng, storage_area_m2,
                            capacity_t, contact_name, contact_phone, contact_email, opened_on, status, status_since, publication_url, rule_set)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'active', $15, $16, $17)
       ON CONFLICT (owner_enterprise_id, code) DO NOTHING RETURNING id`,
      [
        ownerId,
        dto.code ?? null,
        dto.name,
        dto.type,
        dto.address,
        region.code,
        dto.regionCode,
        dto.coordinates?.lat ?? null,
        dto.coordinates?.lng ?? null,
        dto.storageAreaM2,
        dto.capacityT,
        dto.contact?.name ?? null,
        dto.contact?.phone ?? null,
        dto.contact?.email ?? null,
        dto.openedOn,
        dto.publicationUrl ?? null,
        ruleSet.id,
      ],
    );
    if (rows.length === 0) {
      const [existing] = await manager.query<{ id: string }[]>('SELECT id FROM outlets WHERE owner_enterprise_id = $1 AND code = $2', [ownerId, dto.code]);
      throw OutletsErrors.codeTaken(dto.code!, existing?.id ?? 'unknown');
    }
    const id = rows[0].id;
    await manager.query(
      `INSERT INTO outlet_status_changes (outlet_id, from_status, to_status, effective_on, reason, actor_key_id) VALUES ($1, NULL, 'active', $2, 'opened', $3)`,
      [id, dto.openedOn, actor.principal.keyId],
    );
    await this.insertPartners(manager, id, dto.partners ?? []);
    await this.audit.record(manager, actor, {
      action: 'outlet.registered',
      entityType: 'outlet',
      entityId: id,
      data: { ...dto, ownerEnterpriseId: ownerId, ruleSet: ruleSet.id },
    });
    return id;
  }

  async list(query: OutletListQuery, principal: Principal): Promise<Page<OutletView>> {
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [outletVisibilitySql(principal, param)];
    if (query.enterpriseId) {
      const e = param(query.enterpriseId);
      where.push(
        `(o.owner_enterprise_id = ${e}::uuid OR EXISTS (SELECT 1 FROM outlet_partners op2 WHERE op2.outlet_id = o.id AND op2.enterprise_id = ${e}::uuid))`,
      );
    }
    if (query.region) where.push(`o.region_key LIKE ${param(`${query.region}%`)}`);
    if (query.type) where.push(`o.type = ${param(query.type)}`);
    if (query.status) where.push(`o.status = ${param(query.status)}`);
    const after = decodeCursor<{ c: string; id: string }>(query.cursor, { c: cursorField.instant, id: cursorField.uuid });
    if (after) where.push(`(o.created_at, o.id) > (${param(after.c)}::timestamptz, ${param(after.id)}::uuid)`);
    const rows = await this.dataSource.query<OutletRow[]>(
      `SELECT ${OUTLET_COLUMNS} FROM ${OUTLET_FROM} WHERE ${where.join(' AND ')} ORDER BY o.created_at, o.id LIMIT ${param(query.limit + 1)}`,
      params,
    );
    return toPage(rows, query.limit, toOutletView, (r) => ({ c: new Date(r.created_at).toISOString(), id: r.id }));
  }

  /** One outlet with its status history, inspections and current stock. */
  async get(id: string, principal: Principal): Promise<OutletView> {
    const row = await this.findVisible(this.dataSource.manager, id, principal);
    const [history, inspections, stock] = await Promise.all([
      this.dataSource.query<StatusChangeRow[]>(
        `SELECT from_status, to_status, effective_on::text AS effective_on, reason, recorded_at FROM outlet_status_changes WHERE outlet_id = $1 ORDER BY effective_on, id`,
        [id],
      ),
      this.dataSource.query<InspectionRow[]>(
        `SELECT id, inspected_on::text AS inspected_on, result, inspector, findings, recorded_at FROM outlet_inspections WHERE outlet_id = $1 ORDER BY inspected_on, recorded_at`,
        [id],
      ),
      this.stock.stockOf(row),
    ]);
    return { ...toOutletView(row), statusHistory: history.map(toStatusChangeView), inspections: inspections.map(toInspectionView), stock };
  }

  async update(id: string, dto: UpdateOutletDto, actor: Actor): Promise<OutletView> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.findVisible(manager, id, actor.principal, true);
      assertCanEditOutlet(actor.principal, parties(current));
      const next = {
        type: dto.type ?? current.type,
        storageAreaM2: dto.storageAreaM2 ?? Number(current.storage_area_m2),
        capacityT: dto.capacityT ?? Number(current.capacity_t),
      };
      const ruleSet: OutletRuleSet = outletRuleSetOn(todayInChina());
      const violations = checkOutlet(next, ruleSet);
      if (violations.length) throw OutletsErrors.ruleViolations(violations, ruleSet.id);
      if (dto.partners) await this.checkEnterprises(manager, current.owner_enterprise_id, dto.partners, 'owner', '');
      const set: string[] = [];
      const params: unknown[] = [id];
      const put = (column: string, value: unknown) => {
        params.push(value);
        set.push(`${column} = $${params.length}`);
      };
      if (dto.code !== undefined) {
        const [clash] = await manager.query<{ id: string }[]>('SELECT id FROM outlets WHERE owner_enterprise_id = $1 AND code = $2 AND id <> $3', [
          current.owner_enterprise_id,
          dto.code,
          id,
        ]);
        if (clash) throw OutletsErrors.codeTaken(dto.code, clash.id);
        put('code', dto.code);
      }
      if (dto.name !== undefined) put('name', dto.name);
      if (dto.type !== undefined) put('type', dto.type);
      if (dto.address !== undefined) put('address', dto.address);
      if (dto.regionCode !== undefined) {
        put('region_code', regionInfo(dto.regionCode)!.code);
        put('region_code_submitted', dto.regionCode);
      }
      if (dto.coordinates !== undefined) {
        put('lat', dto.coordinates.lat);
        put('lng', dto.coordinates.lng);
      }
      if (dto.storageAreaM2 !== undefined) put('storage_area_m2', dto.storageAreaM2);
      if (dto.capacityT !== undefined) put('capacity_t', dto.capacityT);
      if (dto.contact !== undefined) {
        put('contact_name', dto.contact.name ?? null);
        put('contact_phone', dto.contact.phone ?? null);
        put('contact_email', dto.contact.email ?? null);
      }
      if (dto.openedOn !== undefined) put('opened_on', dto.openedOn);
      if (dto.publicationUrl !== undefined) put('publication_url', dto.publicationUrl);
      put('rule_set', ruleSet.id);
      await manager.query(`UPDATE outlets SET ${set.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`, params);
      if (dto.partners) {
        await manager.query('DELETE FROM outlet_partners WHERE outlet_id = $1', [id]);
        await this.insertPartners(manager, id, dto.partners);
      }
      const before = toOutletView(current);
      await this.audit.record(manager, actor, {
        action: 'outlet.updated',
        entityType: 'outlet',
        entityId: id,
        data: { changes: { ...dto }, before, ruleSet: ruleSet.id },
      });
    });
    return this.get(id, actor.principal);
  }

  async changeStatus(id: string, dto: OutletStatusDto, actor: Actor): Promise<OutletView> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.findVisible(manager, id, actor.principal, true);
      assertCanEditOutlet(actor.principal, parties(current));
      if (!NEXT_STATUS[current.status].includes(dto.status)) throw OutletsErrors.statusTransition(current.status, dto.status);
      const effectiveOn = dto.effectiveOn ?? todayInChina();
      const [{ last }] = await manager.query<{ last: string }[]>('SELECT max(effective_on)::text AS last FROM outlet_status_changes WHERE outlet_id = $1', [
        id,
      ]);
      const earliest = [current.opened_on, last].filter(Boolean).sort().pop()!;
      if (effectiveOn < earliest) throw OutletsErrors.dateOrder('effectiveOn', effectiveOn, earliest, 'the opening date or the last status change');
      await manager.query(
        'INSERT INTO outlet_status_changes (outlet_id, from_status, to_status, effective_on, reason, actor_key_id) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, current.status, dto.status, effectiveOn, dto.reason, actor.principal.keyId],
      );
      await manager.query('UPDATE outlets SET status = $2, status_since = $3, version = version + 1, updated_at = now() WHERE id = $1', [
        id,
        dto.status,
        effectiveOn,
      ]);
      await this.audit.record(manager, actor, {
        action: 'outlet.status_changed',
        entityType: 'outlet',
        entityId: id,
        data: { from: current.status, to: dto.status, effectiveOn, reason: dto.reason },
      });
    });
    return this.get(id, actor.principal);
  }

  async addInspection(id: string, dto: OutletInspectionDto, actor: Actor): Promise<OutletView> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.findVisible(manager, id, actor.principal, true);
      assertCanInspectOutlet(actor.principal, parties(current));
      if (dto.inspectedOn < current.opened_on) throw OutletsErrors.dateOrder('inspectedOn', dto.inspectedOn, current.opened_on, 'the opening date');
      if (dto.inspectedOn > todayInChina()) throw validationFailed([{ path: 'inspectedOn', reason: `${dto.inspectedOn} is in the future` }]);
      const [{ id: inspectionId }] = await manager.query<{ id: string }[]>(
        'INSERT INTO outlet_inspections (outlet_id, inspected_on, result, inspector, findings, actor_key_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [id, dto.inspectedOn, dto.result, dto.inspector, dto.findings ?? null, actor.principal.keyId],
      );
      await this.audit.record(manager, actor, { action: 'outlet.inspected', entityType: 'outlet', entityId: id, data: { inspectionId, ...dto } });
    });
    return this.get(id, actor.principal);
  }

  /** Loads an outlet the principal may read (others': not found); `lock` for a write. */
  async findVisible(manager: EntityManager, id: string, principal: Principal, lock = false): Promise<OutletRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw OutletsErrors.notFound(id);
    const [row] = await manager.query<OutletRow[]>(`SELECT ${OUTLET_COLUMNS} FROM ${OUTLET_FROM} WHERE o.id = $1${lock ? ' FOR UPDATE OF o' : ''}`, [id]);
    if (!row || !canReadOutlet(principal, parties(row))) throw OutletsErrors.notFound(id);
    return row;
  }

  private async checkEnterprises(
    manager: EntityManager,
    ownerId: string,
    partners: readonly OutletPartnerDto[],
    ownerPath: string,
    prefix: string,
  ): Promise<void> {
    const ids = [ownerId, ...partners.map((p) => p.enterpriseId)];
    const found = new Set((await manager.query<{ id: string }[]>('SELECT id FROM enterprises WHERE id = ANY($1::uuid[])', [ids])).map((r) => r.id));
    if (!found.has(ownerId)) throw OutletsErrors.unknownEnterprise(ownerId, ownerPath);
    const details: { path: string; reason: string }[] = [];
    const seen = new Set<string>();
    partners.forEach((p, i) => {
      const path = `${prefix}partners[${i}].enterpriseId`;
      if (!found.has(p.enterpriseId)) details.push({ path, reason: 'no such enterprise' });
      else if (p.enterpriseId === ownerId) details.push({ path, reason: 'the owner is not its own partner' });
      else if (seen.has(p.enterpriseId)) details.push({ path, reason: 'listed twice' });
      seen.add(p.enterpriseId);
    });
    if (details.length) throw validationFailed(details);
  }

  private async insertPartners(manager: EntityManager, outletId: string, partners: readonly OutletPartnerDto[]): Promise<void> {
    if (partners.length === 0) return;
    await manager.query('INSERT INTO outlet_partners (outlet_id, enterprise_id, relation) SELECT $1, p.e, p.r FROM unnest($2::uuid[], $3::text[]) AS p(e, r)', [
      outletId,
      partners.map((p) => p.enterpriseId),
      partners.map((p) => p.relation),
    ]);
  }
}

export function parties(r: OutletRow) {
  return { ownerEnterpriseId: r.owner_enterprise_id, regionCode: r.region_code, partners: r.partners };
}
