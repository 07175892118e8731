import { MAX_CONTAINMENT_DEPTH } from '#libs/battery-code';
import type { DecodedBatteryCode } from '#libs/battery-code';
import type { BatteryStatus, ProductLevel } from '#libs/batteries';

/** A battery's derived state as the ledger keeps it (one row of `batteries`), while a batch is evaluated. */
export interface BatteryState {
  code: string;
  form: 'original' | 'cascade';
  level: ProductLevel;
  /**
   * The decoded code of a battery registered by this batch (its row is inserted with these fields). Null for
   * a battery loaded from the registry: the rules need only its form and level, and the load does not read
   * back what the code already says.
   */
  decoded: DecodedBatteryCode | null;
  nominalCapacityAh: number | null;
  nominalVoltageV: number | null;
  ratedEnergyKwh: number | null;
  massKg: number | null;
  producerId: string;
  producedEventId: string;
  status: BatteryStatus;
  /** Null while the battery is inside another (it shares that one's holder). */
  holderId: string | null;
  pendingTo: string | null;
  vin: string | null;
  /** The battery it is inside: a module or pack, or a cascade product. */
  parentCode: string | null;
  regionKeys: string[];
  lastEventId: string;
  lastEventType: string;
  lastEventAt: number;
  chainSeq: number;
  chainHead: Buffer;
  /** Created in this batch (insert rather than update). */
  isNew: boolean;
  changed: boolean;
}

const CONTAINED: ReadonlySet<BatteryStatus> = new Set<BatteryStatus>(['assembled', 'in_cascade_product']);

export function isContained(s: BatteryState): boolean {
  return s.parentCode !== null && CONTAINED.has(s.status);
}

/**
 * The battery whose state a battery follows: itself, or the top-level battery it is (transitively) inside.
 * A cell inside a module inside an installed pack is "installed", held by the pack's holder, in its vehicle.
 */
export function effectiveOf(s: BatteryState, states: ReadonlyMap<string, BatteryState>): BatteryState {
  let current = s;
  for (let depth = 0; depth < MAX_CONTAINMENT_DEPTH && isContained(current); depth++) {
    const parent = states.get(current.parentCode!);
    if (!parent) break;
    current = parent;
  }
  return current;
}
