import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { allows, enterpriseInRegionSql, enterprisesEverInRegionSql, readScope, requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, Page, Principal, toPage } from '#libs/common';
import { DataSource, Repository } from 'typeorm';
import { ApiKeysService } from './api-keys.service';
import { ADMIN_ONLY_FIELDS, CreateEnterpriseDto, EnterpriseListQuery, EnterpriseView, UpdateEnterpriseDto } from './dto';
import { Enterprise } from './enterprise.entity';
import { EnterpriseErrors } from './errors';
import { toEnterpriseView } from './views';

const UNIQUE_VIOLATION = '23505';

/**
 * The enterprise registry. Access follows libs/access: admins manage every record; an enterprise reads and edits
 * only its own (not its name, roles, regulatory status or registered region); regulators read, within their region
 * if they are limited to one (a firm registered there now or before: enterprise_regions keeps the history).
 */
@Injectable()
export class EnterprisesService {
  constructor(
    @InjectRepository(Enterprise) private readonly enterprises: Repository<Enterprise>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async create(dto: CreateEnterpriseDto, actor: Actor): Promise<EnterpriseView> {
    requireAllowed(actor.principal, 'enterprise.create');
    try {
      return await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(Enterprise);
        const saved = await repo.save(repo.create({ uscc: dto.uscc, ...this.columns(dto) }));
        await this.audit.record(manager, actor, { action: 'enterprise.created', entityType: 'enterprise', entityId: saved.id, data: { ...dto } });
        return toEnterpriseView(saved);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw EnterpriseErrors.usccTaken(dto.uscc);
      throw error;
    }
  }

  async get(id: string, principal: Principal): Promise<EnterpriseView> {
    return toEnterpriseView(await this.findVisible(id, principal));
  }

  async list(query: EnterpriseListQuery, principal: Principal): Promise<Page<EnterpriseView>> {
    const after = decodeCursor<{ c: string; id: string }>(query.cursor, { c: cursorField.instant, id: cursorField.uuid });
    const qb = this.enterprises
      .createQueryBuilder('e')
      .orderBy('e.created_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(query.limit + 1);
    const scope = readScope(principal);
    if (scope.kind === 'enterprise') qb.andWhere('e.id = :own', { own: scope.enterpriseId });
    if (scope.kind === 'region') {
      const params: Record<string, unknown> = {};
      const param = (v: unknown) => {
        const name = `rp${Object.keys(params).length}`;
        params[name] = v;
        return `:${name}`;
      };
      qb.andWhere(`e.id IN (${enterprisesEverInRegionSql(scope.prefix, param)})`, params);
    }
    if (query.role) qb.andWhere(':role = ANY(e.roles)', { role: query.role });
    if (query.region) qb.andWhere('e.region_code LIKE :r', { r: `${query.region}%` });
    if (after) qb.andWhere('(e.created_at, e.id) > (:c, :id)', { c: after.c, id: after.id });
    const rows = await qb.getMany();
    return toPage(rows, query.limit, toEnterpriseView, (e) => ({ c: e.createdAt.toISOString(), id: e.id }));
  }

  async update(id: string, dto: UpdateEnterpriseDto, actor: Actor): Promise<EnterpriseView> {
    const p = actor.principal;
    const current = await this.findVisible(id, p);
    requireAllowed(p, 'enterprise.update', id);
    const touched = ADMIN_ONLY_FIELDS.filter((f) => dto[f] !== undefined);
    if (touched.length > 0 && !allows(p, 'enterprise.update_admin_fields')) throw EnterpriseErrors.fieldsNotEditable(touched);
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Enterprise);
      const next = repo.merge(current, this.columns(dto));
      const saved = await repo.save(next);
      await this.audit.record(manager, actor, { action: 'enterprise.updated', entityType: 'enterprise', entityId: id, data: { ...dto } });
      return toEnterpriseView(saved);
    });
  }

  /** Admins create keys for any enterprise, an enterprise for itself. */
  async createApiKey(enterpriseId: string, name: string, actor: Actor) {
    const p = actor.principal;
    await this.findVisible(enterpriseId, p);
    requireAllowed(p, 'api_key.manage', enterpriseId);
    return this.apiKeys.create({ kind: 'enterprise', id: enterpriseId }, name, actor);
  }

  async listApiKeys(enterpriseId: string, principal: Principal) {
    await this.findVisible(enterpriseId, principal);
    requireAllowed(principal, 'api_key.manage', enterpriseId);
    return this.apiKeys.listForEnterprise(enterpriseId);
  }

  /**
   * Loads a record the principal may see; others' records are reported as not found, with the answer a missing id
   * gets (a 403 for another firm's id and a 404 for an unknown one would tell which ids are enterprises).
   */
  async findVisible(id: string, principal: Principal): Promise<Enterprise> {
    const e = await this.enterprises.findOneBy({ id });
    const scope = readScope(principal);
    let visible = e !== null && (scope.kind === 'all' || (scope.kind === 'enterprise' && scope.enterpriseId === id));
    if (e !== null && scope.kind === 'region') {
      const params: unknown[] = [id];
      const param = (v: unknown) => `$${params.push(v)}`;
      const [row] = await this.dataSource.query<{ ok: boolean }[]>(`SELECT ${enterpriseInRegionSql('$1::uuid', scope.prefix, param)} AS ok`, params);
      visible = row.ok;
    }
    if (e === null || !visible) throw EnterpriseErrors.notFound(id);
    return e;
  }

  private columns(dto: Partial<CreateEnterpriseDto>): Partial<Enterprise> {
    const c: Partial<Enterprise> = {};
    if (dto.name !== undefined) c.name = dto.name;
    if (dto.roles !== undefined) c.roles = dto.roles;
    if (dto.address !== undefined) c.address = dto.address;
    if (dto.regionCode !== undefined) c.regionCode = dto.regionCode;
    if (dto.contact !== undefined) {
      c.contactName = dto.contact.name ?? null;
      c.contactPhone = dto.contact.phone ?? null;
      c.contactEmail = dto.contact.email ?? null;
    }
    if (dto.whitelist !== undefined) {
      c.whitelistStatus = dto.whitelist.status;
      c.whitelistVersion = dto.whitelist.version ?? null;
      c.whitelistBatch = dto.whitelist.batch ?? null;
    }
    if (dto.qmsCertificate !== undefined) {
      c.qmsCertificateNo = dto.qmsCertificate.number;
      c.qmsCertificateValidUntil = dto.qmsCertificate.validUntil ?? null;
    }
    return c;
  }
}
