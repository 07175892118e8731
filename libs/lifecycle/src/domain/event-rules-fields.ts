/** What the rows of the rule sets (event-rules-*.ts) are built from: role lists and payload fields. */
import type { EnterpriseRole } from '#libs/enterprises';
import type { EventTypeRules, PayloadSchema } from './event-types';
import type { FieldSpec } from './field-spec';

/** One event type's rules in a table keyed by type. */
export type Row = Omit<EventTypeRules, 'type'>;

// ---- the roles -------------------------------------------------------------------------------------

export const ALL_ROLES: readonly EnterpriseRole[] = [
  'battery_maker',
  'vehicle_maker',
  'importer',
  'dealer',
  'repairer',
  'leasing',
  'swap_operator',
  'dismantler',
  'cascade_utiliser',
  'recycler',
];
/** Firms that run recycling service outlets: vehicle makers and the firms they entrust (2019 outlet guide). */
export const OUTLET_ROLES: readonly EnterpriseRole[] = [
  'vehicle_maker',
  'battery_maker',
  'importer',
  'dealer',
  'repairer',
  'leasing',
  'swap_operator',
  'dismantler',
  'cascade_utiliser',
];
export const SERVICE_ROLES: readonly EnterpriseRole[] = ['vehicle_maker', 'importer', 'dealer', 'repairer', 'leasing'];

// ---- payload fields ----------------------------------------------------------------------------------

export const f = (spec: FieldSpec): FieldSpec => spec;

export const ATTRIBUTES: readonly FieldSpec[] = [
  f({
    name: 'nominalCapacityAh',
    kind: 'number',
    required: true,
    min: 0,
    minExclusive: true,
    max: 1_000_000,
    unit: 'Ah',
    description: 'Nominal capacity (标称容量)',
    example: 150,
  }),
  f({
    name: 'nominalVoltageV',
    kind: 'number',
    required: true,
    min: 0,
    minExclusive: true,
    max: 10_000,
    unit: 'V',
    description: 'Nominal voltage (标称电压)',
    example: 350.4,
  }),
  f({
    name: 'ratedEnergyKwh',
    kind: 'number',
    required: false,
    min: 0,
    minExclusive: true,
    max: 100_000,
    unit: 'kWh',
    description: 'Rated energy (额定能量)',
    example: 52.6,
  }),
  f({ name: 'massKg', kind: 'number', required: false, min: 0, minExclusive: true, max: 100_000, unit: 'kg', description: 'Mass', example: 380 }),
];

export const v1 = (...fields: FieldSpec[]): readonly PayloadSchema[] => [{ version: 1, fields }];

export const reason = (required: boolean, description = 'What happened, in words') => f({ name: 'reason', kind: 'string', required, max: 2000, description });
