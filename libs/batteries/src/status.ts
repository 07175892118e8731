/**
 * Where a battery is in its life. Derived from the ledger's events (recomputable from them); the ledger's
 * event-type table says which event leads from which status to which.
 *
 * Two statuses mean "inside another battery": `assembled` (a cell in a module, a module in a pack) and
 * `in_cascade_product` (an original battery regrouped into a cascade product). Such a battery has no holder
 * or vehicle of its own: it shares those of the battery it is inside (its top-level container), so an event
 * on a pack does not have to rewrite its 100 cells.
 */
export const BATTERY_STATUSES = [
  'produced', // in the battery maker's stock
  'delivered', // handed over to a vehicle maker, repairer, swap operator …; awaiting receipt
  'installed', // in a vehicle not yet certified or cleared
  'certified', // in a vehicle with a certificate of conformity or customs clearance, not yet sold
  'in_use', // in a sold vehicle
  'swap_stock', // in a battery-swap station's stock
  'removed', // taken out of a vehicle or pack (repair, replacement), at the firm that took it out
  'in_scrapped_vehicle', // in a scrapped vehicle at the dismantler
  'in_transit', // handed out of stock to a named receiver, not yet received
  'at_outlet', // in a recycling service outlet's stock
  'cascade_stock', // at a cascade utiliser, not yet tested (or a cascade product in stock)
  'tested', // residual capacity tested at the cascade utiliser
  'cascade_in_use', // a cascade product shipped to its user
  'waste', // a scrapped cascade product, awaiting hand-over
  'at_recycler', // received by a recycler
  'recycled', // recycled and finally disposed of: the end
  'assembled', // inside a module or pack
  'in_cascade_product', // regrouped into a cascade product
] as const;

export type BatteryStatus = (typeof BATTERY_STATUSES)[number];

/** Statuses of a battery that is part of another and follows its state. */
export const CONTAINED_STATUSES: readonly BatteryStatus[] = ['assembled', 'in_cascade_product'];

export type ProductLevel = 'pack' | 'module' | 'cell';
