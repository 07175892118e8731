import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Actor, ErrorDetail } from '#libs/common';
import { BatteriesModule } from '#libs/batteries';
import { LifecycleModule } from '#libs/lifecycle';
import { RowOutcome, UploadKind, UploadKinds, UploadKindsModule } from '#libs/uploads';
import type { EntityManager } from 'typeorm';
import { DEFAULT_TEST_STANDARD, TEST_STANDARDS } from './dto';
import { GradingRulesService } from './grading-rules.service';
import { ResidualTestsService } from './residual-tests.service';

/** Discharge cycles a spreadsheet row carries (cycle1… cycleN columns): battery cyclers export a few per test. */
export const UPLOAD_CYCLES = 5;
export const RESIDUAL_TESTS_KIND = 'residual-tests';

type Col = {
  name: string;
  kind: string;
  cell: 'text' | 'number' | 'datetime';
  required: boolean;
  description: string;
  enum?: readonly string[];
  example?: string;
};

function columns(): Col[] {
  const cycles: Col[] = [];
  for (let i = 1; i <= UPLOAD_CYCLES; i++) {
    cycles.push(
      {
        name: `cycle${i}CapacityAh`,
        kind: 'number',
        cell: 'number',
        required: i === 1,
        description: `Discharge cycle ${i}: capacity at 1 I5, Ah${i > 1 ? ' (empty: no such cycle)' : ''}`,
        example: '101.2',
      },
      { name: `cycle${i}EnergyWh`, kind: 'number', cell: 'number', required: i === 1, description: `Discharge cycle ${i}: energy, Wh`, example: '364.3' },
    );
  }
  return [
    {
      name: 'clientTestId',
      kind: 'string',
      cell: 'text',
      required: true,
      description: 'Your id for the test (a row sent again is a duplicate)',
      example: 'LAB-2026-0001',
    },
    {
      name: 'batteryCode',
      kind: 'batteryCode',
      cell: 'text',
      required: true,
      description: 'The original battery tested (24 characters)',
      example: '001MB240000003B3C0221953',
    },
    {
      name: 'testedAt',
      kind: 'datetime',
      cell: 'datetime',
      required: true,
      description: 'When the test ended (Beijing time without an offset)',
      example: '2026-03-02 10:00',
    },
    { name: 'standard', kind: 'enum', cell: 'text', required: false, enum: TEST_STANDARDS, description: `Default ${DEFAULT_TEST_STANDARD}` },
    { name: 'testingLab', kind: 'string', cell: 'text', required: false, description: 'The laboratory, when not the firm itself' },
    { name: 'ambientTemperatureC', kind: 'number', cell: 'number', required: true, description: 'Ambient temperature, °C', example: '25' },
    { name: 'dischargeCurrentA', kind: 'number', cell: 'number', required: true, description: 'Discharge current (1 I5), A', example: '30' },
    { name: 'chargeVoltageV', kind: 'number', cell: 'number', required: true, description: 'Charge voltage, V', example: '4.2' },
    { name: 'cutoffVoltageV', kind: 'number', cell: 'number', required: true, description: 'Cut-off voltage, V', example: '2.75' },
    ...cycles,
    { name: 'dcResistanceMOhm', kind: 'number', cell: 'number', required: false, description: 'DC internal resistance, mΩ' },
    { name: 'initialResistanceMOhm', kind: 'number', cell: 'number', required: false, description: 'Beginning-of-life DC resistance, mΩ' },
    { name: 'openCircuitVoltageV', kind: 'number', cell: 'number', required: false, description: 'Open-circuit voltage, V' },
    { name: 'appearanceCheck', kind: 'enum', cell: 'text', required: true, enum: ['pass', 'fail'], description: 'Appearance check' },
    { name: 'insulationCheck', kind: 'enum', cell: 'text', required: false, enum: ['pass', 'fail'], description: 'Insulation check' },
  ];
}

/** A row as the JSON body's test: the cycle columns become `cycles`. */
export function rowToTest(row: Record<string, unknown>): Record<string, unknown> {
  const test: Record<string, unknown> = {};
  const cycles: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(row)) {
    const m = /^cycle(\d+)(CapacityAh|EnergyWh)$/.exec(k);
    if (!m) test[k] = v;
    else (cycles[Number(m[1]) - 1] ??= {})[m[2] === 'CapacityAh' ? 'capacityAh' : 'energyWh'] = v;
  }
  test.cycles = cycles.filter((c) => c !== undefined);
  return test;
}

/** A reason's path in the JSON body's terms (`.cycles[1].energyWh`) as the column it came from (`cycle2EnergyWh`). */
export function columnOf(path: string): string {
  const p = path.replace(/^\./, '');
  const m = /^cycles\[(\d+)\]\.(capacityAh|energyWh)$/.exec(p);
  if (m) return `cycle${Number(m[1]) + 1}${m[2] === 'capacityAh' ? 'CapacityAh' : 'EnergyWh'}`;
  return p === '' ? 'batteryCode' : p.replace(/^cycles.*/, 'cycle1CapacityAh');
}

/** Residual tests from battery cyclers' spreadsheets: `POST /v1/uploads?kind=residual-tests`, rows as POST /v1/residual-tests. */
@Injectable()
export class ResidualTestsUploadKind implements UploadKind, OnModuleInit {
  readonly kind = RESIDUAL_TESTS_KIND;
  readonly description = 'Residual-capacity tests (GB/T 34015), one row per test; graded and recorded with their residual_tested events';

  constructor(
    private readonly kinds: UploadKinds,
    private readonly tests: ResidualTestsService,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  columns() {
    return columns();
  }

  async ingest(rows: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<RowOutcome[]> {
    const res = await this.tests.record(rows.map(rowToTest), actor, { manager, pathOf: () => '' });
    return res.results.map((r): RowOutcome => {
      if (r.status === 'rejected')
        return { status: 'rejected', reasons: (r.reasons ?? []).map((d): ErrorDetail => ({ ...d, path: columnOf(String(d.path ?? '')) })) };
      return { status: r.status, recordId: r.test!.id };
    });
  }
}

/** The kind's module: loaded by the API and the worker (libs/workers), as upload kinds must be. */
@Module({ imports: [UploadKindsModule, LifecycleModule, BatteriesModule], providers: [ResidualTestsService, GradingRulesService, ResidualTestsUploadKind] })
export class ResidualTestsUploadModule {}
