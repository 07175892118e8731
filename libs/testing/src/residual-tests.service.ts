import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { batteryInRegionSql, readScope, requireActingEnterprise } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, ErrorDetail, Page, Principal, toPage } from '#libs/common';
import type { BinaryElementType, BinaryElementTypes } from '#libs/database';
import { binaryArray, PreparedStatement, StatementShapes } from '#libs/database';
import { BatteriesService } from '#libs/batteries';
import { LedgerService, uuidv7 } from '#libs/lifecycle';
import { DataSource, EntityManager } from 'typeorm';
import { derive, ratedValues } from './domain/derive';
import { grade, GradingRuleSet } from './domain/grading';
import { validateTest, ValidTest } from './domain/validate-test';
import { DEFAULT_TEST_STANDARD, MAX_TESTS_PER_BATCH, ResidualTestQuery, ResidualTestView } from './dto';
import { TestingErrors } from './errors';
import { GradingRulesService } from './grading-rules.service';
import { RESIDUAL_TEST_COLUMNS, ResidualTestRow, TestResultSummary, toResidualTestView, toTestResultSummary } from './views';

export interface TestResult {
  index: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  /** The whole record (accepted: the new one; duplicate: the stored one); only in the `full` view. */
  test?: ResidualTestView;
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}

export interface TestBatchResponse<R = TestResult> {
  status: 'ACCEPTED' | 'PARTIALLY_ACCEPTED' | 'REJECTED';
  counts: { total: number; accepted: number; duplicate: number; rejected: number };
  results: R[];
}

export interface RecordOptions {
  /** Run in the caller's transaction (uploads: the batch's rows commit with the tests). */
  manager?: EntityManager;
  /** How item i is named in reasons. Default `tests[i]`. */
  pathOf?: (index: number) => string;
}

/** A result while the batch is worked on: the row stands for the record until the answer is built. */
interface Outcome {
  index: number;
  status: TestResult['status'];
  row?: ResidualTestRow;
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}

/** What the registry knows of a tested battery, for its rated values. */
interface BatteryFacts {
  code: string;
  product_type: string;
  nominal_capacity_ah: number | null;
  nominal_voltage_v: number | null;
  rated_energy_kwh: number | null;
  rule_capacity_ah: string | null;
  rule_voltage_v: string | null;
  rule_energy_kwh: string | null;
}

/**
 * The rated values on file: the registration, else the coding rule in force on the production date. The rule is
 * looked up only for a registration without rated capacity or rated energy: with both, ratedValues uses neither
 * the rule's values nor the nominal voltage, and the look-up is a probe of coding_rules per battery.
 */
const BATTERY_FACTS = new PreparedStatement<BatteryFacts>(
  'testing.battery_facts',
  `
  SELECT b.code, b.product_type, b.nominal_capacity_ah, b.nominal_voltage_v, b.rated_energy_kwh,
         r.rated_capacity_ah AS rule_capacity_ah, r.nominal_voltage_v AS rule_voltage_v, r.rated_energy_kwh AS rule_energy_kwh
    FROM batteries b
    LEFT JOIN LATERAL (
      SELECT c.rated_capacity_ah, c.nominal_voltage_v, c.rated_energy_kwh FROM coding_rules c
       WHERE (b.nominal_capacity_ah IS NULL OR b.rated_energy_kwh IS NULL)
         AND c.manufacturer_code = b.manufacturer_code AND c.specification_code = b.specification_code AND c.valid_from <= b.production_date
       ORDER BY c.valid_from DESC, c.version DESC LIMIT 1) r ON true
   WHERE b.code = ANY($1::text[])`,
);

/** prepare's answer when a test fails the units check on a battery the firm may not be allowed to see. */
const UNITS_UNSURE = Symbol('units check on a battery not known to be visible');

/** Stored tests of the same client ids (answered as duplicates). */
const PRIOR_TESTS = new PreparedStatement<ResidualTestRow>(
  'testing.prior_tests',
  `SELECT ${RESIDUAL_TEST_COLUMNS} FROM residual_tests t WHERE t.enterprise_id = $1 AND t.client_test_id = ANY($2::text[])`,
);

/**
 * The plan settings of the ledger's ingest transactions (see LedgerService), for the look-ups before it, and which
 * grading rule-set version is current (GradingRulesService keeps each version's rules once read): one round trip.
 */
const LOOKUP_SETTINGS = new PreparedStatement<{ rule_set_version: number | null }>(
  'testing.lookup_settings',
  `SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true),
          (SELECT max(version) FROM residual_grading_rule_sets) AS rule_set_version`,
);

const UNIQUE_VIOLATION = '23505';
const num = (v: string | number | null) => (v === null ? null : Number(v));

interface Prepared {
  index: number;
  id: string;
  dto: ValidTest;
  row: Record<string, unknown>;
}

/**
 * The multi-row insert of a batch's tests: one binary-format array parameter per column (see binaryArray in
 * libs/database), unnested side by side; the batch's common values (enterprise, key, recording time) as scalars.
 * One `json_populate_recordset` document of ~1 KB a row cost Node its serialisation and PostgreSQL its parsing:
 * about 50 ms of a 500-test batch. `applications` goes joined by commas (its fields are `[a-z0-9_]`).
 */
function insertText(
  rows: readonly Record<string, unknown>[],
  enterpriseId: string,
  keyId: string,
  recordedAt: string,
  param: (value: unknown) => string,
): string {
  const column = <T extends BinaryElementType>(type: T, name: string, value: (r: Record<string, unknown>) => BinaryElementTypes[T] | null) =>
    `unnest(${param(binaryArray(type, rows.map(value)))}::${type}[]) AS ${name}`;
  const text = (name: string) => column('text', name, (r) => r[name] as string | null);
  const float = (name: string) => column('float8', name, (r) => r[name] as number | null);
  const unnested = [
    column('uuid', 'id', (r) => r.id as string),
    text('client_test_id'),
    text('battery_code'),
    text('product_type'),
    text('testing_lab'),
    text('standard'),
    column('timestamptz', 'tested_at', (r) => Date.parse(r.tested_at as string)),
    ...['ambient_temperature_c', 'discharge_current_a', 'charge_voltage_v', 'cutoff_voltage_v'].map(float),
    column('jsonb', 'cycles', (r) => r.cycles),
    ...['dc_resistance_mohm', 'initial_resistance_mohm', 'open_circuit_voltage_v'].map(float),
    text('appearance_check'),
    text('insulation_check'),
    ...['mean_capacity_ah', 'mean_energy_wh', 'spread_percent', 'rated_capacity_ah'].map(float),
    text('rated_capacity_basis'),
    float('rated_energy_wh'),
    text('rated_energy_basis'),
    ...['soh_c_percent', 'soh_e_percent', 'resistance_increase_percent'].map(float),
    text('grade'),
    column('text', 'applications', (r) => (r.applications as string[]).join(',')),
    column('bool', 'retest', (r) => r.retest as boolean),
    column('jsonb', 'grading_reasons', (r) => r.grading_reasons),
    column('int4', 'rule_set_version', (r) => r.rule_set_version as number),
    column('uuid', 'event_id', (r) => r.event_id as string),
  ];
  return `INSERT INTO residual_tests (id, enterprise_id, key_id, client_test_id, battery_code, product_type, testing_lab, standard, tested_at,
      ambient_temperature_c, discharge_current_a, charge_voltage_v, cutoff_voltage_v, cycles, dc_resistance_mohm, initial_resistance_mohm,
      open_circuit_voltage_v, appearance_check, insulation_check, mean_capacity_ah, mean_energy_wh, spread_percent, rated_capacity_ah,
      rated_capacity_basis, rated_energy_wh, rated_energy_basis, soh_c_percent, soh_e_percent, resistance_increase_percent, grade,
      applications, retest, grading_reasons, rule_set_version, event_id, recorded_at)
    SELECT u.id, ${param(enterpriseId)}::uuid, ${param(keyId)}::uuid, u.client_test_id, u.battery_code, u.product_type, u.testing_lab, u.standard, u.tested_at,
      u.ambient_temperature_c, u.discharge_current_a, u.charge_voltage_v, u.cutoff_voltage_v, u.cycles, u.dc_resistance_mohm, u.initial_resistance_mohm,
      u.open_circuit_voltage_v, u.appearance_check, u.insulation_check, u.mean_capacity_ah, u.mean_energy_wh, u.spread_percent, u.rated_capacity_ah,
      u.rated_capacity_basis, u.rated_energy_wh, u.rated_energy_basis, u.soh_c_percent, u.soh_e_percent, u.resistance_increase_percent, u.grade,
      string_to_array(u.applications, ','), u.retest, u.grading_reasons, u.rule_set_version, u.event_id, ${param(recordedAt)}::timestamptz
      FROM (SELECT ${unnested.join(', ')}) AS u`;
}

/** The insert's text is the same for every batch (the parameters' order is fixed): a named prepared statement. */
const INSERT_SHAPES = new StatementShapes('testing.insert', 4);

/**
 * Residual-capacity test records (GB/T 34015; 梯次利用管理办法 art. 10). Each record is graded by the current
 * rule set and appends its `residual_tested` event through the ledger's own ingest in the same transaction,
 * so custody, the state machine and the hash chain apply, and a test the ledger refuses is not stored.
 */
@Injectable()
export class ResidualTestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly ledger: LedgerService,
    private readonly rules: GradingRulesService,
    private readonly batteries: BatteriesService,
  ) {}

  /** Records the tests and answers each with its whole record (the single-test POST, uploads). */
  async record(raws: readonly unknown[], actor: Actor, options: RecordOptions = {}): Promise<TestBatchResponse> {
    const { outcomes, summary } = await this.recordAll(raws, actor, options);
    return {
      ...summary,
      results: outcomes.map(({ index, status, row, reasons, warnings }) => ({
        index,
        status,
        ...(row ? { test: toResidualTestView(row) } : {}),
        ...(reasons ? { reasons } : {}),
        ...(warnings ? { warnings } : {}),
      })),
    };
  }

  /**
   * Records the tests and answers each as POST /v1/events answers an event: status, ids, and here the grade and
   * SOH, without the whole record (500 records are ~600 KB of JSON to build, send and parse: measured, more than a
   * fifth of the API's CPU for a batch).
   */
  async recordSummarised(raws: readonly unknown[], actor: Actor): Promise<TestBatchResponse<TestResultSummary>> {
    const { outcomes, summary } = await this.recordAll(raws, actor, {});
    return { ...summary, results: outcomes.map(toTestResultSummary) };
  }

  private async recordAll(
    raws: readonly unknown[],
    actor: Actor,
    options: RecordOptions,
  ): Promise<{ outcomes: Outcome[]; summary: Omit<TestBatchResponse, 'results'> }> {
    const principal = requireActingEnterprise(actor.principal, 'residual_test.record');
    if (raws.length > MAX_TESTS_PER_BATCH) throw TestingErrors.tooMany(raws.length, MAX_TESTS_PER_BATCH);
    const pathOf = options.pathOf ?? ((i: number) => `tests[${i}]`);
    const validated: Outcome[] = raws.map((_, index) => ({ index, status: 'rejected' }));
    const valid = this.validateAll(raws, pathOf, validated);
    let outcomes = validated;
    const run = (manager: EntityManager) => {
      // A retried transaction starts again from the validation's outcomes.
      outcomes = validated.map((o) => ({ ...o }));
      return this.recordValid(manager, valid, principal.enterpriseId, principal.keyId, actor, pathOf, outcomes);
    };
    if (options.manager) await run(options.manager);
    else {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.dataSource.transaction(run);
          break;
        } catch (error) {
          // Two requests with the same clientTestId at once: the second sees the first's row when retried.
          if ((error as { code?: string }).code === UNIQUE_VIOLATION && attempt < 3) continue;
          throw error;
        }
      }
    }
    const counts = { total: outcomes.length, accepted: 0, duplicate: 0, rejected: 0 };
    for (const r of outcomes) counts[r.status]++;
    const status = counts.rejected === 0 ? 'ACCEPTED' : counts.rejected === counts.total ? 'REJECTED' : 'PARTIALLY_ACCEPTED';
    return { outcomes, summary: { status, counts } };
  }

  private validateAll(raws: readonly unknown[], pathOf: (i: number) => string, results: Outcome[]): { index: number; dto: ValidTest }[] {
    const valid: { index: number; dto: ValidTest }[] = [];
    const now = Date.now();
    raws.forEach((raw, index) => {
      const r = validateTest(raw, pathOf(index), now);
      if (r.ok) valid.push({ index, dto: r.test });
      else results[index].reasons = r.reasons;
    });
    return valid;
  }

  private async recordValid(
    db: EntityManager,
    valid: { index: number; dto: ValidTest }[],
    enterpriseId: string,
    keyId: string,
    actor: Actor,
    pathOf: (i: number) => string,
    results: Outcome[],
  ): Promise<void> {
    if (valid.length === 0) return;
    // Same clientTestId as a stored test: that test is the answer (retrying is always safe).
    const clientIds = valid.flatMap((v) => (v.dto.clientTestId ? [v.dto.clientTestId] : []));
    // Generic plans, as the ledger's ingest sets them for the rest of the transaction: a custom plan for
    // `= ANY($n)` over a batch's 500 codes estimates every element, and that planning cost more than the look-ups.
    const [{ rule_set_version: ruleSetVersion }] = await LOOKUP_SETTINGS.runIn(db, []);
    // One after another: they share the transaction's connection.
    const priorRows = clientIds.length > 0 ? await PRIOR_TESTS.runIn(db, [enterpriseId, binaryArray('text', clientIds)]) : [];
    const facts = await BATTERY_FACTS.runIn(db, [binaryArray('text', [...new Set(valid.map((v) => v.dto.batteryCode))])]);
    const ruleSet = await this.rules.version(db, ruleSetVersion);
    const prior = new Map<string, ResidualTestRow>();
    for (const r of priorRows) prior.set(r.client_test_id!, r);
    const factsByCode = new Map(facts.map((f) => [f.code, f]));
    const seenClientIds = new Map<string, number>();
    // A clientTestId repeated within the batch is answered as its first occurrence is (a duplicate of it).
    const repeats: { index: number; first: number }[] = [];
    const prepared: Prepared[] = [];
    const implausible: { index: number; dto: ValidTest }[] = [];
    for (const { index, dto } of valid) {
      const existing = dto.clientTestId ? prior.get(dto.clientTestId) : undefined;
      if (existing) {
        results[index] = { index, status: 'duplicate', row: existing };
        continue;
      }
      if (dto.clientTestId) {
        const first = seenClientIds.get(dto.clientTestId);
        if (first !== undefined) {
          repeats.push({ index, first });
          continue;
        }
        seenClientIds.set(dto.clientTestId, index);
      }
      const p = this.prepare(index, dto, factsByCode.get(dto.batteryCode), ruleSet, enterpriseId, keyId, pathOf, results, false);
      if (p === UNITS_UNSURE) implausible.push({ index, dto });
      else if (p) prepared.push(p);
    }
    if (implausible.length > 0) {
      // The units check names a battery's rated capacity (and so tells that it is registered): said only about
      // batteries the firm may see (the ledger's rule for its reasons, looked up as the ledger does, only when
      // needed). Another firm's battery goes on as an unregistered code does: the ledger gives the blind answer.
      const visible = await this.batteries.visibleTo(db, enterpriseId, [...new Set(implausible.map((x) => x.dto.batteryCode))]);
      for (const { index, dto } of implausible) {
        const facts = visible.has(dto.batteryCode) ? factsByCode.get(dto.batteryCode) : undefined;
        const p = this.prepare(index, dto, facts, ruleSet, enterpriseId, keyId, pathOf, results, true);
        if (p && p !== UNITS_UNSURE) prepared.push(p);
      }
      prepared.sort((a, b) => a.index - b.index);
    }
    const answerRepeats = () => {
      for (const { index, first } of repeats) {
        const f = results[first];
        results[index] =
          f.status === 'rejected'
            ? { index, status: 'rejected', reasons: [{ path: `${pathOf(index)}.clientTestId`, reason: `repeats ${pathOf(first)}, which was rejected` }] }
            : { index, status: 'duplicate', row: f.row };
      }
    };
    if (prepared.length === 0) return answerRepeats();
    const events = prepared.map((p) => ({
      type: 'residual_tested',
      batteryCodes: [p.dto.batteryCode],
      occurredAt: p.dto.testedAt,
      payload: {
        testRecordRef: p.id,
        ...(p.row.soh_c_percent !== null ? { sohPercent: p.row.soh_c_percent } : {}),
        ...(p.row.grade !== 'ungraded' ? { decision: p.row.grade } : {}),
      },
    }));
    const ingest = await this.ledger.ingest(
      events,
      { mode: 'partial', dryRun: false, manager: db, pathOf: (i) => pathOf(prepared[i].index), source: 'residual_tests' },
      actor,
    );
    const stored: Record<string, unknown>[] = [];
    ingest.results.forEach((r, i) => {
      const p = prepared[i];
      if (r.status === 'accepted') {
        p.row.event_id = r.eventId;
        stored.push(p.row);
        if (r.warnings?.length) results[p.index].warnings = r.warnings;
      } else {
        // The ledger names the event's fields; the client sent a test's.
        const field = (path: string) => path.replace(/\.batteryCodes\[0\]$/, '.batteryCode').replace(/\.occurredAt$/, '.testedAt');
        results[p.index].reasons = (r.reasons ?? [{ path: pathOf(p.index), reason: `the ledger answered ${r.status}` }]).map((d) => ({
          ...d,
          path: field(String(d.path ?? '')),
        }));
      }
    });
    if (stored.length === 0) return answerRepeats();
    const recordedAt = new Date().toISOString();
    for (const r of stored) r.recorded_at = recordedAt;
    const rows = stored;
    // One statement writes the rows and the audit entry. No RETURNING: the rows are what was sent (the views are
    // built from them), and reading 500 rows back cost more than writing them.
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const audit = this.audit.insertStatement(
      actor,
      {
        action: 'residual_tests.recorded',
        entityType: 'residual_test_batch',
        entityId: rows[0].id as string,
        data: { count: rows.length, ids: rows.map((r) => r.id), ruleSetVersion: ruleSet.version },
      },
      param,
    );
    const text = insertText(rows, enterpriseId, keyId, recordedAt, param);
    await INSERT_SHAPES.runIn(db, `WITH audit AS (${audit}) ${text}`, params);
    const byId = new Map(rows.map((r) => [r.id as string, r as unknown as ResidualTestRow]));
    for (const p of prepared) {
      const row = byId.get(p.id);
      if (row) results[p.index] = { ...results[p.index], index: p.index, status: 'accepted', row };
    }
    answerRepeats();
  }

  private prepare(
    index: number,
    dto: ValidTest,
    facts: BatteryFacts | undefined,
    ruleSet: GradingRuleSet,
    enterpriseId: string,
    keyId: string,
    pathOf: (i: number) => string,
    results: Outcome[],
    seen: boolean,
  ): Prepared | typeof UNITS_UNSURE | null {
    // An unregistered battery gets no values here: the ledger rejects its event, in the words it uses for any
    // code the reporter may not see.
    const rated = ratedValues(
      {
        nominalCapacityAh: facts?.nominal_capacity_ah ?? null,
        nominalVoltageV: facts?.nominal_voltage_v ?? null,
        ratedEnergyKwh: facts?.rated_energy_kwh ?? null,
      },
      facts ? { ratedCapacityAh: num(facts.rule_capacity_ah), nominalVoltageV: num(facts.rule_voltage_v), ratedEnergyKwh: num(facts.rule_energy_kwh) } : null,
    );
    const d = derive(
      dto.cycles,
      { capacityAh: rated.capacity.value, energyWh: rated.energyWh.value },
      { measuredMOhm: dto.dcResistanceMOhm ?? null, initialMOhm: dto.initialResistanceMOhm ?? null },
    );
    if (d.sohCPercent !== null && d.sohCPercent > 200) {
      // Whether the firm may see the battery is looked up first (the reason names its rated capacity).
      if (!seen) return UNITS_UNSURE;
      results[index].reasons = [
        { path: `${pathOf(index)}.cycles`, reason: `the residual capacity is ${d.sohCPercent} % of the rated ${rated.capacity.value} Ah: check the units` },
      ];
      return null;
    }
    const decision = grade({ ...d, appearanceCheck: dto.appearanceCheck, insulationCheck: dto.insulationCheck ?? null }, ruleSet);
    const id = uuidv7();
    return {
      index,
      id,
      dto,
      row: {
        id,
        enterprise_id: enterpriseId,
        key_id: keyId,
        client_test_id: dto.clientTestId ?? null,
        battery_code: dto.batteryCode,
        product_type: facts?.product_type ?? 'unknown',
        testing_lab: dto.testingLab ?? null,
        standard: dto.standard ?? DEFAULT_TEST_STANDARD,
        tested_at: new Date(dto.testedAt).toISOString(),
        ambient_temperature_c: dto.ambientTemperatureC,
        discharge_current_a: dto.dischargeCurrentA,
        charge_voltage_v: dto.chargeVoltageV,
        cutoff_voltage_v: dto.cutoffVoltageV,
        cycles: dto.cycles.map((c) => ({ capacityAh: c.capacityAh, energyWh: c.energyWh })),
        dc_resistance_mohm: dto.dcResistanceMOhm ?? null,
        initial_resistance_mohm: dto.initialResistanceMOhm ?? null,
        open_circuit_voltage_v: dto.openCircuitVoltageV ?? null,
        appearance_check: dto.appearanceCheck,
        insulation_check: dto.insulationCheck ?? null,
        mean_capacity_ah: d.meanCapacityAh,
        mean_energy_wh: d.meanEnergyWh,
        spread_percent: d.spreadPercent,
        rated_capacity_ah: rated.capacity.value,
        rated_capacity_basis: rated.capacity.basis,
        rated_energy_wh: rated.energyWh.value,
        rated_energy_basis: rated.energyWh.basis,
        soh_c_percent: d.sohCPercent,
        soh_e_percent: d.sohEPercent,
        resistance_increase_percent: d.resistanceIncreasePercent,
        grade: decision.grade,
        applications: decision.applications,
        retest: decision.retest,
        grading_reasons: decision.reasons,
        rule_set_version: decision.ruleSetVersion,
      },
    };
  }

  // ---- reading ---------------------------------------------------------------------------------------

  async get(id: string, principal: Principal): Promise<ResidualTestView> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw TestingErrors.notFound(id);
    const { where, params } = this.visibility(principal, 2);
    const [row] = await this.dataSource.query<ResidualTestRow[]>(`SELECT ${RESIDUAL_TEST_COLUMNS} FROM residual_tests t WHERE t.id = $1 AND ${where}`, [
      id,
      ...params,
    ]);
    if (!row) throw TestingErrors.notFound(id);
    return toResidualTestView(row);
  }

  /** The latest test of each battery made by this enterprise (for cascade products), read through `db`. */
  async latestOf(db: EntityManager, enterpriseId: string, codes: readonly string[]): Promise<Map<string, ResidualTestView>> {
    const rows = await db.query<ResidualTestRow[]>(
      `SELECT DISTINCT ON (t.battery_code) ${RESIDUAL_TEST_COLUMNS} FROM residual_tests t
        WHERE t.battery_code = ANY($1::text[]) AND t.enterprise_id = $2 ORDER BY t.battery_code, t.tested_at DESC, t.id DESC`,
      [codes, enterpriseId],
    );
    return new Map(rows.map((r) => [r.battery_code, toResidualTestView(r)]));
  }

  /** Every test of a battery, newest first (passport; the caller checks visibility). */
  async ofBattery(codes: readonly string[]): Promise<ResidualTestView[]> {
    const rows = await this.dataSource.query<ResidualTestRow[]>(
      `SELECT ${RESIDUAL_TEST_COLUMNS} FROM residual_tests t WHERE t.battery_code = ANY($1::text[]) ORDER BY t.tested_at DESC, t.id DESC`,
      [codes],
    );
    return rows.map(toResidualTestView);
  }

  async list(query: ResidualTestQuery, principal: Principal): Promise<Page<ResidualTestView>> {
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    const vis = this.visibility(principal, 1);
    params.push(...vis.params);
    const where = [vis.where];
    if (query.battery) where.push(`t.battery_code = ${param(query.battery)}`);
    if (query.grade) where.push(`t.grade = ${param(query.grade)}`);
    if (query.from) where.push(`t.tested_at >= (${param(query.from)}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
    if (query.to) where.push(`t.tested_at < ((${param(query.to)}::date) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
    const after = decodeCursor<{ at: string; id: string }>(query.cursor, { at: cursorField.instant, id: cursorField.uuid });
    if (after) where.push(`(t.tested_at, t.id) < (${param(after.at)}::timestamptz, ${param(after.id)}::uuid)`);
    const rows = await this.dataSource.query<ResidualTestRow[]>(
      `SELECT ${RESIDUAL_TEST_COLUMNS} FROM residual_tests t WHERE ${where.join(' AND ')} ORDER BY t.tested_at DESC, t.id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    return toPage(rows, query.limit, toResidualTestView, (r) => ({ at: new Date(r.tested_at).toISOString(), id: r.id }));
  }

  /**
   * Who reads which tests (libs/access's read scope): an enterprise the tests it made; a regulator limited to a
   * region, tests of batteries located there now or before (the batteries' list condition); admins and national
   * regulators all.
   */
  private visibility(principal: Principal, first: number): { where: string; params: unknown[] } {
    const scope = readScope(principal);
    const params: unknown[] = [];
    const param = (v: unknown) => `$${first - 1 + params.push(v)}`;
    if (scope.kind === 'enterprise') return { where: `t.enterprise_id = ${param(scope.enterpriseId)}`, params };
    if (scope.kind === 'region') {
      return { where: `EXISTS (SELECT 1 FROM batteries b WHERE b.code = t.battery_code AND ${batteryInRegionSql('b', scope.prefix, param)})`, params };
    }
    return { where: 'true', params };
  }
}
