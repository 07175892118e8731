/**
 * The values derived from a residual-capacity test (GB/T 34015-2017 measures the residual capacity at 1 I5;
 * the ratios are the industry's usual formulas, see the domain notes §2.2): pure, no Nest or database.
 */

export interface DischargeCycle {
  capacityAh: number;
  energyWh: number;
}

/** A rated value and where it came from; null value when nothing on file gives it (never a guess). */
export interface RatedValue {
  value: number | null;
  basis: string | null;
}

export interface Derived {
  meanCapacityAh: number;
  meanEnergyWh: number;
  /** (max − min) ÷ mean of the cycles' capacities, %; 0 for one cycle. */
  spreadPercent: number;
  /** Residual ÷ rated capacity, %; null when the rated capacity is unknown. */
  sohCPercent: number | null;
  /** Residual ÷ rated energy, %; null when the rated energy is unknown. */
  sohEPercent: number | null;
  /** (R − R_BOL) ÷ R_BOL, % (DIN DKE SPEC 99100 `internalResistanceIncrease`); null without both values. */
  resistanceIncreasePercent: number | null;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function derive(
  cycles: readonly DischargeCycle[],
  rated: { capacityAh: number | null; energyWh: number | null },
  resistance: { measuredMOhm: number | null; initialMOhm: number | null },
): Derived {
  if (cycles.length === 0) throw new Error('a test has at least one discharge cycle');
  const caps = cycles.map((c) => c.capacityAh);
  const meanCapacityAh = mean(caps);
  const meanEnergyWh = mean(cycles.map((c) => c.energyWh));
  const spreadPercent = meanCapacityAh > 0 ? ((Math.max(...caps) - Math.min(...caps)) / meanCapacityAh) * 100 : 0;
  const ratio = (x: number, of: number | null) => (of !== null && of > 0 ? round((x / of) * 100, 2) : null);
  const { measuredMOhm: r, initialMOhm: r0 } = resistance;
  return {
    meanCapacityAh: round(meanCapacityAh, 4),
    meanEnergyWh: round(meanEnergyWh, 3),
    spreadPercent: round(spreadPercent, 3),
    sohCPercent: ratio(meanCapacityAh, rated.capacityAh),
    sohEPercent: ratio(meanEnergyWh, rated.energyWh),
    resistanceIncreasePercent: r !== null && r0 !== null && r0 > 0 ? round(((r - r0) / r0) * 100, 2) : null,
  };
}

/**
 * The rated capacity: the battery's registration attributes first (what its maker declared for this very
 * battery), else its coding-rule filing in force on the production date. The rated energy likewise; failing
 * both, the nominal energy (rated capacity × nominal voltage), which is how a nominal energy is defined.
 */
export function ratedValues(
  registration: { nominalCapacityAh: number | null; nominalVoltageV: number | null; ratedEnergyKwh: number | null },
  filing: { ratedCapacityAh: number | null; nominalVoltageV: number | null; ratedEnergyKwh: number | null } | null,
): { capacity: RatedValue; energyWh: RatedValue } {
  const capacity: RatedValue =
    registration.nominalCapacityAh !== null
      ? { value: registration.nominalCapacityAh, basis: 'registration' }
      : filing?.ratedCapacityAh != null
        ? { value: filing.ratedCapacityAh, basis: 'coding_rule' }
        : { value: null, basis: null };
  const voltage = registration.nominalVoltageV ?? filing?.nominalVoltageV ?? null;
  const energyWh: RatedValue =
    registration.ratedEnergyKwh !== null
      ? { value: registration.ratedEnergyKwh * 1000, basis: 'registration' }
      : filing?.ratedEnergyKwh != null
        ? { value: filing.ratedEnergyKwh * 1000, basis: 'coding_rule' }
        : capacity.value !== null && voltage !== null
          ? { value: round(capacity.value * voltage, 3), basis: 'rated_capacity_x_nominal_voltage' }
          : { value: null, basis: null };
  return { capacity, energyWh };
}
