import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { batteryInRegionSql, readScope, requireActingEnterprise } from '#libs/access';
import { AuditService } from '#libs/audit';
import { format, parse } from '#libs/battery-code';
import { BatteriesService } from '#libs/batteries';
import { Actor, cursorField, decodeCursor, ErrorDetail, Page, Principal, toPage, validationFailed } from '#libs/common';
import { chinaDate, LedgerService } from '#libs/lifecycle';
import { regionInfo } from '#libs/regions';
import { gradeAllows, ResidualTestsService } from '#libs/testing';
import { DataSource, EntityManager } from 'typeorm';
import { CascadeRule } from './domain/rules';
import type { CascadeProductQuery, CascadeProductView, CreateCascadeProductDto, SourceView } from './dto';
import { CascadeErrors, ruleDetail } from './errors';
import { PRODUCT_COLUMNS, ProductRow, PRODUCTS_FROM, toProductView } from './views';

const LEVEL_SYMBOL = { pack: 'P', module: 'M', cell: 'C' } as const;
const UNIQUE_VIOLATION = '23505';
const MAX_SERIAL = 9_999_999;

interface SourceRow {
  code: string;
  product_type: string;
  battery_type: string;
}

/**
 * Cascade (second-life) products (梯次利用管理办法 arts. 10, 12, 15): the rules of the measures are checked first,
 * each rejection naming its article; then the code is minted (or the supplied one checked), and the product, its
 * sources and the `cascade_assembled` event (through the ledger's ingest: custody and state apply) commit together.
 */
@Injectable()
export class CascadeProductsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly ledger: LedgerService,
    private readonly tests: ResidualTestsService,
    private readonly batteries: BatteriesService,
  ) {}

  async create(dto: CreateCascadeProductDto, actor: Actor): Promise<{ product: CascadeProductView; created: boolean }> {
    const p = requireActingEnterprise(actor.principal, 'cascade_product.assemble');
    if (dto.clientProductId) {
      const prior = await this.findByClientId(p.enterpriseId, dto.clientProductId);
      if (prior) return { product: prior, created: false };
    }
    const sources = this.checkSourceForms(dto.sourceCodes);
    try {
      const code = await this.dataSource.transaction((manager) => this.assemble(manager, dto, sources, p.enterpriseId, actor));
      return { product: await this.view(code.code, code.warnings), created: true };
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && dto.clientProductId) {
        const prior = await this.findByClientId(p.enterpriseId, dto.clientProductId);
        if (prior) return { product: prior, created: false };
      }
      throw error;
    }
  }

  /** Art. 15: sources are original batteries (24 characters) named once each. */
  private checkSourceForms(codes: string[]): string[] {
    const details: ErrorDetail[] = [];
    const seen = new Map<string, number>();
    codes.forEach((input, i) => {
      const path = `sourceCodes[${i}]`;
      const r = parse(input);
      if (!r.ok) return void details.push({ path, reason: `not a GB/T 34014 code: ${r.errors.map((e) => e.message).join('; ')}` });
      if (r.code.form !== 'original') {
        return void details.push(
          ruleDetail(
            CascadeRule.ORIGINAL_CODE_REQUIRED,
            path,
            `${r.code.code} is a cascade product: a product is built from original batteries, whose codes it retains`,
            { code: r.code.code },
          ),
        );
      }
      const first = seen.get(r.code.code);
      if (first !== undefined)
        details.push(
          ruleDetail(CascadeRule.SOURCE_ALREADY_USED, path, `${r.code.code} is named twice (also sourceCodes[${first}]): a source is used once`, {
            code: r.code.code,
            usedIn: 'this request',
          }),
        );
      else seen.set(r.code.code, i);
    });
    if (details.length > 0) throw CascadeErrors.ruleBroken(details);
    return codes.map((c) => (parse(c) as { ok: true; code: { code: string } }).code.code);
  }

  private async assemble(
    db: EntityManager,
    dto: CreateCascadeProductDto,
    sources: string[],
    enterpriseId: string,
    actor: Actor,
  ): Promise<{ code: string; warnings: unknown[] }> {
    const [firm] = await db.query<{ name: string; address: string | null; region_code: string | null }[]>(
      'SELECT name, address, region_code FROM enterprises WHERE id = $1',
      [enterpriseId],
    );
    const held = (await db.query<{ code: string }[]>('SELECT code FROM manufacturer_codes WHERE enterprise_id = $1 ORDER BY code', [enterpriseId])).map(
      (r) => r.code,
    );
    const details: ErrorDetail[] = [];
    // Art. 12: a cascade firm applies for its own manufacturer code; its cascade codes carry it.
    if (held.length === 0)
      details.push(
        ruleDetail(
          CascadeRule.NO_MANUFACTURER_CODE,
          dto.cascadeCode ? 'cascadeCode' : 'manufacturerCode',
          'the firm holds no manufacturer code (厂商代码): apply for one and file the coding rules before assembling',
        ),
      );
    else if (dto.manufacturerCode && !held.includes(dto.manufacturerCode)) {
      details.push(
        ruleDetail(
          CascadeRule.NO_MANUFACTURER_CODE,
          'manufacturerCode',
          `${dto.manufacturerCode} is not a manufacturer code of this firm (it holds ${held.join(', ')})`,
        ),
      );
    } else if (dto.cascadeCode && !held.includes(dto.cascadeCode.slice(0, 3))) {
      details.push(
        ruleDetail(
          CascadeRule.NO_MANUFACTURER_CODE,
          'cascadeCode',
          `${dto.cascadeCode} carries manufacturer code ${dto.cascadeCode.slice(0, 3)}, not one of this firm's (${held.join(', ')})`,
        ),
      );
    }
    // Art. 15: an original code is retained by one product.
    const used = await db.query<{ source: string; product: string }[]>(
      `SELECT source_code AS source, cascade_code AS product FROM cascade_product_sources WHERE source_code = ANY($1::text[])
       UNION SELECT original_code, cascade_code FROM battery_origins WHERE original_code = ANY($1::text[])`,
      [sources],
    );
    // Said only about sources the firm may see (it names the product that holds the source, and tells that the code
    // is registered): another firm's source answers as an unregistered code does. Such a source is refused anyway,
    // for want of a test by this firm (a firm that tested a battery held it, and sees it).
    const seen = used.length > 0 ? await this.batteries.visibleTo(db, enterpriseId, [...new Set(used.map((u) => u.source))]) : new Set<string>();
    const usedIn = new Map(used.filter((u) => seen.has(u.source)).map((u) => [u.source, u.product]));
    // Art. 10: a test (GB/T 34015) by this firm whose grade allows the application.
    const latest = await this.tests.latestOf(db, enterpriseId, sources);
    sources.forEach((code, i) => {
      const path = `sourceCodes[${i}]`;
      if (usedIn.has(code))
        details.push(
          ruleDetail(CascadeRule.SOURCE_ALREADY_USED, path, `${code} is already in cascade product ${usedIn.get(code)}: a source is used once`, {
            code,
            usedIn: usedIn.get(code),
          }),
        );
      const test = latest.get(code);
      if (!test)
        details.push(
          ruleDetail(CascadeRule.SOURCE_NOT_QUALIFIED, path, `${code} has no residual-capacity test (GB/T 34015) by this firm`, {
            code,
            application: dto.applicationField,
          }),
        );
      else if (!gradeAllows(test, dto.applicationField)) {
        details.push(
          ruleDetail(
            CascadeRule.SOURCE_NOT_QUALIFIED,
            path,
            `${code}'s latest test (${test.id}) graded it ${test.grade}${test.applications.length ? ` for ${test.applications.join(', ')}` : ''}, which does not allow ${dto.applicationField}`,
            { code, application: dto.applicationField, testId: test.id, grade: test.grade },
          ),
        );
      }
    });
    if (details.length > 0) throw CascadeErrors.ruleBroken(details);
    if (!dto.cascadeCode && !dto.specificationCode)
      throw validationFailed([
        { path: 'specificationCode', reason: 'is required when the cascade code is minted (your filed specification code for the product)' },
      ]);

    const facts = await db.query<SourceRow[]>('SELECT code, product_type, battery_type FROM batteries WHERE code = ANY($1::text[])', [sources]);
    const assembledAt = dto.assembledAt ? new Date(dto.assembledAt) : new Date();
    let code: string;
    if (dto.cascadeCode) {
      code = dto.cascadeCode;
      if (code[3] !== LEVEL_SYMBOL[dto.reuseLevel])
        throw validationFailed([
          { path: 'cascadeCode', reason: `position 4 is ${code[3]}, but reuseLevel ${dto.reuseLevel} is ${LEVEL_SYMBOL[dto.reuseLevel]}` },
        ]);
      if ((await db.query('SELECT 1 FROM batteries WHERE code = $1', [code])).length > 0) throw CascadeErrors.codeTaken(code);
    } else {
      code = await this.mint(db, dto.manufacturerCode ?? held[0], dto, facts, assembledAt);
    }

    const event = {
      type: 'cascade_assembled',
      batteryCodes: sources,
      occurredAt: assembledAt.toISOString(),
      payload: {
        cascadeCode: code,
        nominalCapacityAh: dto.nominalCapacityAh,
        nominalVoltageV: dto.nominalVoltageV,
        ...(dto.ratedEnergyKwh !== undefined ? { ratedEnergyKwh: dto.ratedEnergyKwh } : {}),
        ...(dto.massKg !== undefined ? { massKg: dto.massKg } : {}),
        application: dto.applicationField,
      },
    };
    const res = await this.ledger.ingest([event], { mode: 'atomic', dryRun: false, manager: db, pathOf: () => '', source: 'cascade_products' }, actor);
    const r = res.results[0];
    if (r.status !== 'accepted') {
      const byCode = (path: string) =>
        path
          .replace(/^\.batteryCodes\[(\d+)\]/, 'sourceCodes[$1]')
          .replace(/^\.payload\.cascadeCode/, 'cascadeCode')
          .replace(/^\./, '');
      throw CascadeErrors.assemblyRejected((r.reasons ?? []).map((d) => ({ ...d, path: byCode(String(d.path ?? '')) })));
    }
    const placeOfOrigin = dto.placeOfOrigin ?? (firm.region_code ? (regionInfo(firm.region_code)?.fullName.replace(/ /g, '') ?? null) : null);
    await db.query(
      `INSERT INTO cascade_products (code, enterprise_id, client_product_id, code_source, reuse_level, application_field, nominal_capacity_ah, nominal_voltage_v,
         rated_energy_kwh, gtin, warranty_months, certification, firm_name, firm_address, place_of_origin, event_id, assembled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        code,
        enterpriseId,
        dto.clientProductId ?? null,
        dto.cascadeCode ? 'supplied' : 'minted',
        dto.reuseLevel,
        dto.applicationField,
        dto.nominalCapacityAh,
        dto.nominalVoltageV,
        dto.ratedEnergyKwh ?? null,
        dto.gtin ?? null,
        dto.warrantyMonths,
        dto.certification ?? null,
        firm.name,
        firm.address,
        placeOfOrigin,
        r.eventId,
        assembledAt,
      ],
    );
    await db.query(
      `INSERT INTO cascade_product_sources (source_code, cascade_code, position, test_id)
       SELECT s.code, $1, s.pos - 1, s.test FROM unnest($2::text[], $3::uuid[]) WITH ORDINALITY AS s(code, test, pos)`,
      [code, sources, sources.map((s) => latest.get(s)!.id)],
    );
    await this.audit.record(db, actor, {
      action: 'cascade_product.assembled',
      entityType: 'cascade_product',
      entityId: code,
      data: { ...dto, cascadeCode: code, sourceCodes: sources, eventId: r.eventId },
    });
    return { code, warnings: r.warnings ?? [] };
  }

  /**
   * The next free code under the manufacturer code: serials come from one counter row per manufacturer code,
   * incremented in this transaction (its row lock makes concurrent requests wait, so no two get the same serial);
   * a serial whose code is already registered (a supplied code) is skipped.
   */
  private async mint(db: EntityManager, manufacturerCode: string, dto: CreateCascadeProductDto, facts: SourceRow[], at: Date): Promise<string> {
    const types = new Set(facts.map((f) => f.product_type));
    const level = types.size === 1 ? LEVEL_SYMBOL[[...types][0] as keyof typeof LEVEL_SYMBOL] : LEVEL_SYMBOL[dto.reuseLevel];
    for (let attempt = 0; attempt < 100; attempt++) {
      const [{ serial }] = await db.query<{ serial: number }[]>(
        `INSERT INTO cascade_code_sequences AS s (manufacturer_code, next_serial) VALUES ($1, 2)
         ON CONFLICT (manufacturer_code) DO UPDATE SET next_serial = s.next_serial + 1
         RETURNING s.next_serial - 1 AS serial`,
        [manufacturerCode],
      );
      if (serial > MAX_SERIAL) throw CascadeErrors.serialsExhausted(manufacturerCode);
      const r = format({
        form: 'cascade',
        manufacturerCode,
        productType: LEVEL_SYMBOL[dto.reuseLevel],
        batteryType: facts[0]?.battery_type ?? 'Z',
        specificationCode: dto.specificationCode!,
        productionDate: chinaDate(at.getTime()),
        serial,
        cascadeLevel: level,
      });
      if (!r.ok)
        throw validationFailed(
          r.errors.map((e) => ({ path: ['year', 'month', 'day', 'date'].includes(e.segment) ? 'assembledAt' : 'specificationCode', reason: e.message })),
        );
      if ((await db.query('SELECT 1 FROM batteries WHERE code = $1', [r.code.code])).length === 0) return r.code.code;
    }
    throw CascadeErrors.serialsExhausted(manufacturerCode);
  }

  // ---- reading ---------------------------------------------------------------------------------------

  private async findByClientId(enterpriseId: string, clientId: string): Promise<CascadeProductView | null> {
    const [row] = await this.dataSource.query<{ code: string }[]>('SELECT code FROM cascade_products WHERE enterprise_id = $1 AND client_product_id = $2', [
      enterpriseId,
      clientId,
    ]);
    return row ? this.view(row.code) : null;
  }

  /** The product with its sources, their tests, the label and the ledger state (no access check). */
  async view(code: string, warnings?: unknown[], db: EntityManager = this.dataSource.manager): Promise<CascadeProductView> {
    const [row] = await db.query<ProductRow[]>(`SELECT ${PRODUCT_COLUMNS} FROM ${PRODUCTS_FROM} WHERE p.code = $1`, [code]);
    if (!row) throw CascadeErrors.notFound(code);
    const sources = await db.query<{ code: string; product_type: string; test_id: string; grade: string; soh_c_percent: number | null; tested_at: Date }[]>(
      `SELECT s.source_code AS code, b.product_type, s.test_id, t.grade, t.soh_c_percent, t.tested_at
         FROM cascade_product_sources s JOIN batteries b ON b.code = s.source_code JOIN residual_tests t ON t.id = s.test_id
        WHERE s.cascade_code = $1 ORDER BY s.position`,
      [code],
    );
    const view = toProductView(
      row,
      sources.map((s): SourceView => ({
        code: s.code,
        productType: s.product_type,
        testId: s.test_id,
        grade: s.grade,
        sohCPercent: s.soh_c_percent ?? 'unknown',
        testedAt: new Date(s.tested_at).toISOString(),
      })),
    );
    return warnings && warnings.length > 0 ? { ...view, warnings } : view;
  }

  /** Same visibility as the battery (and its trace). */
  async get(input: string, principal: Principal): Promise<CascadeProductView> {
    const code = this.batteries.normaliseCode(input);
    await this.batteries.assertVisible(code, principal);
    return this.view(code);
  }

  async list(query: CascadeProductQuery, principal: Principal): Promise<Page<CascadeProductView>> {
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    // Cascade products are batteries, listed as batteries are (libs/access's read scope): an enterprise those it is
    // party to (its own products, and those shipped to it), a regulator limited to a region those located there.
    const scope = readScope(principal);
    if (scope.kind === 'enterprise')
      where.push(`p.code IN (SELECT bp.battery_code FROM battery_parties bp WHERE bp.enterprise_id = ${param(scope.enterpriseId)})`);
    else if (scope.kind === 'region') where.push(batteryInRegionSql('b', scope.prefix, param));
    if (query.application) where.push(`p.application_field = ${param(query.application)}`);
    if (query.reuseLevel) where.push(`p.reuse_level = ${param(query.reuseLevel)}`);
    if (query.source) where.push(`p.code IN (SELECT cascade_code FROM cascade_product_sources WHERE source_code = ${param(query.source)})`);
    const after = decodeCursor<{ code: string }>(query.cursor, { code: cursorField.matches(/^[0-9A-Z]{19}$/) });
    if (after) where.push(`p.code > ${param(after.code)}`);
    const rows = await this.dataSource.query<{ code: string }[]>(
      `SELECT p.code FROM ${PRODUCTS_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.code LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = toPage(
      rows,
      query.limit,
      (r) => r.code,
      (r) => ({ code: r.code }),
    );
    return { items: await Promise.all(page.items.map((c) => this.view(c))), nextCursor: page.nextCursor };
  }
}
