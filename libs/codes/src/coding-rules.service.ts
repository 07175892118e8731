import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, ErrorDetail, Page, Principal, toPage, validationFailed } from '#libs/common';
import { EnterprisesService } from '#libs/enterprises';
import { DataSource } from 'typeorm';
import { CodingRule } from './coding-rule.entity';
import type { CodingRuleListQuery, CodingRuleView, CreateCodingRuleDto } from './dto';
import { CodesErrors } from './errors';
import { toCodingRuleView } from './views';

type RuleCursor = { m: string; s: string; v: string; n: number };

/**
 * Coding-rule filings (编码规则备案). An enterprise (or an administrator for it) files what each
 * specification code of its manufacturer codes means; filings are append-only and versioned, and the
 * rule in force on a date is the one with the latest `validFrom` not after it (the highest version
 * among filings with the same `validFrom`, so a correction filed with the same date replaces it).
 * A filing with an earlier `validFrom` than existing ones is retroactive: it governs the period up to
 * the next `validFrom`.
 */
@Injectable()
export class CodingRulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enterprises: EnterprisesService,
    private readonly audit: AuditService,
  ) {}

  async file(enterpriseId: string, dto: CreateCodingRuleDto, actor: Actor): Promise<CodingRuleView> {
    const p = actor.principal;
    await this.enterprises.findVisible(enterpriseId, p);
    requireAllowed(p, 'coding_rule.file', enterpriseId);
    const misplaced = misplacedFields(dto);
    if (misplaced.length > 0) throw validationFailed(misplaced);

    return this.dataSource.transaction(async (manager) => {
      // Locking the manufacturer code serialises filings under it, so versions are allocated without gaps or races.
      const [holder] = await manager.query<{ enterprise_id: string }[]>('SELECT enterprise_id FROM manufacturer_codes WHERE code = $1 FOR UPDATE', [
        dto.manufacturerCode,
      ]);
      if (!holder || holder.enterprise_id !== enterpriseId) throw CodesErrors.manufacturerCodeNotHeld(dto.manufacturerCode, enterpriseId);
      const [{ next }] = await manager.query<{ next: number }[]>(
        'SELECT coalesce(max(version), 0) + 1 AS next FROM coding_rules WHERE manufacturer_code = $1 AND specification_code = $2',
        [dto.manufacturerCode, dto.specificationCode],
      );
      const repo = manager.getRepository(CodingRule);
      const saved = await repo.save(
        repo.create({
          enterpriseId,
          manufacturerCode: dto.manufacturerCode,
          specificationCode: dto.specificationCode,
          version: Number(next),
          validFrom: dto.validFrom,
          form: dto.form,
          productType: dto.productType ?? null,
          batteryType: dto.batteryType,
          shape: dto.shape ?? null,
          lengthMm: dto.dimensions?.lengthMm ?? null,
          widthMm: dto.dimensions?.widthMm ?? null,
          heightMm: dto.dimensions?.heightMm ?? null,
          diameterMm: dto.dimensions?.diameterMm ?? null,
          ratedCapacityAh: dto.ratedCapacityAh ?? null,
          nominalVoltageV: dto.nominalVoltageV ?? null,
          ratedEnergyKwh: dto.ratedEnergyKwh ?? null,
          seriesCount: dto.seriesCount ?? null,
          parallelCount: dto.parallelCount ?? null,
          reratedCapacityAh: dto.reratedCapacityAh ?? null,
          keyMaterials: dto.keyMaterials ? { ...dto.keyMaterials } : null,
          traceabilityScheme: dto.traceabilityScheme ?? null,
          notes: dto.notes ?? null,
        }),
      );
      const stored = await repo.findOneByOrFail({ id: saved.id });
      await this.audit.record(manager, actor, {
        action: 'coding_rule.filed',
        entityType: 'coding_rule',
        entityId: saved.id,
        data: { enterpriseId, version: stored.version, ...dto },
      });
      return toCodingRuleView(stored);
    });
  }

  /**
   * An enterprise's filings: every version (ordered by manufacturer code, specification code, validFrom,
   * version), or with `on` only the rule in force on that date for each manufacturer and specification code.
   */
  async list(enterpriseId: string, query: CodingRuleListQuery, principal: Principal): Promise<Page<CodingRuleView>> {
    await this.enterprises.findVisible(enterpriseId, principal);
    const after = decodeCursor<RuleCursor>(query.cursor, {
      m: cursorField.matches(/^[0-9A-Z]{3}$/),
      s: cursorField.matches(/^[0-9A-Z]{2}$/),
      v: cursorField.date,
      n: cursorField.integer(1, 2 ** 31 - 1),
    });
    const repo = this.dataSource.getRepository(CodingRule);
    const filters = (alias: string) => {
      const where = [`${alias}.enterprise_id = :enterpriseId`];
      if (query.manufacturerCode) where.push(`${alias}.manufacturer_code = :mc`);
      if (query.specificationCode) where.push(`${alias}.specification_code = :sc`);
      return where.join(' AND ');
    };
    const params: Record<string, string> = { enterpriseId };
    if (query.manufacturerCode) params.mc = query.manufacturerCode;
    if (query.specificationCode) params.sc = query.specificationCode;
    if (query.on) params.on = query.on;
    const qb = repo.createQueryBuilder('r');
    if (query.on) {
      // DISTINCT ON keeps the first row of each (manufacturer, specification) group: the one in force.
      const inForce = repo
        .createQueryBuilder('f')
        .select('f.id')
        .distinctOn(['f.manufacturer_code', 'f.specification_code'])
        .where(`${filters('f')} AND f.valid_from <= :on`)
        .orderBy('f.manufacturer_code')
        .addOrderBy('f.specification_code')
        .addOrderBy('f.valid_from', 'DESC')
        .addOrderBy('f.version', 'DESC');
      qb.where(`r.id IN (${inForce.getQuery()})`);
    } else {
      qb.where(filters('r'));
    }
    qb.setParameters(params);
    if (after) {
      qb.andWhere('(r.manufacturer_code, r.specification_code, r.valid_from, r.version) > (:cm, :cs, :cv, :cn)', {
        cm: after.m,
        cs: after.s,
        cv: after.v,
        cn: after.n,
      });
    }
    const rows = await qb
      .orderBy('r.manufacturer_code')
      .addOrderBy('r.specification_code')
      .addOrderBy('r.valid_from')
      .addOrderBy('r.version')
      .limit(query.limit + 1)
      .getMany();
    return toPage(rows, query.limit, toCodingRuleView, (r) => ({ m: r.manufacturerCode, s: r.specificationCode, v: r.validFrom, n: r.version }));
  }
}

/** Fields of the other form: cascade details on an original filing, a traceability scheme on a cascade one. */
function misplacedFields(dto: CreateCodingRuleDto): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (dto.form === 'original') {
    for (const f of ['seriesCount', 'parallelCount', 'reratedCapacityAh'] as const) {
      if (dto[f] !== undefined) out.push({ path: f, reason: `${f} applies to cascade products only (form: 'cascade')` });
    }
  } else if (dto.traceabilityScheme !== undefined) {
    out.push({ path: 'traceabilityScheme', reason: 'a cascade code has no traceability segment, so a cascade filing has no traceability scheme' });
  }
  return out;
}
