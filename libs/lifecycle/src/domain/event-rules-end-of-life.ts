/**
 * The rows of the 2018/2021 rule set (event-types.ts) for the end of life: the vehicle scrapped, its battery removed
 * and handed on, received and recycled by a recycler.
 */
import type { EventType } from './event-types';
import type { Row } from './event-rules-fields';
import { f, reason, v1 } from './event-rules-fields';

export const END_OF_LIFE_ROWS = {
  vehicle_scrapped: {
    description: 'A dismantler receives the scrapped vehicle and issues the scrap certificate (报废汽车回收证明)',
    basis: '溯源管理暂行规定 art. 13 (15 working days)',
    node: true,
    roles: ['dismantler'],
    from: ['installed', 'certified', 'in_use'],
    to: 'in_scrapped_vehicle',
    reporter: 'any',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'optional',
    levels: ['pack'],
    payload: v1(
      f({ name: 'scrapCertificateNo', kind: 'string', required: true, max: 100, description: 'Scrap-vehicle certificate number (报废汽车回收证明编号)' }),
    ),
  },
  removed: {
    description:
      'The dismantler removes the pack from the scrapped vehicle and hands it over (拆卸并移交出库) to the counterparty; without a counterparty it goes into the dismantler’s own stock (status removed) and leaves it by `outlet_handed_over`',
    basis: '溯源管理暂行规定 art. 13 (15 working days)',
    node: true,
    roles: ['dismantler'],
    from: ['in_scrapped_vehicle'],
    to: 'in_transit',
    reporter: 'holder',
    custody: 'handover',
    withoutCounterparty: { to: 'removed' },
    counterparty: { presence: 'optional' },
    vin: { presence: 'optional', effect: 'clear' },
    region: 'optional',
    payload: v1(reason(false, 'Remarks')),
  },
  recycler_received: {
    description: 'A recycler receives waste batteries into stock (接收入库); counterpartyUscc: who handed them over',
    basis: '溯源管理暂行规定 art. 15 (30 working days)',
    node: true,
    roles: ['recycler'],
    from: ['in_transit', 'removed', 'at_outlet', 'swap_stock', 'cascade_stock', 'tested', 'waste'],
    to: 'at_recycler',
    reporter: 'receiver',
    custody: 'take',
    counterparty: { presence: 'optional' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(),
  },
  recycled: {
    description: 'Recycling and final disposal are complete (完成再生利用及最终处理), with the material recovered',
    basis: '溯源管理暂行规定 art. 15 (30 working days)',
    node: true,
    roles: ['recycler'],
    from: ['at_recycler'],
    to: 'recycled',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(
      f({
        name: 'method',
        kind: 'enum',
        enum: ['hydrometallurgical', 'pyrometallurgical', 'physical', 'combined'],
        required: false,
        description: 'Recycling process',
      }),
      f({
        name: 'processedMassKg',
        kind: 'number',
        required: true,
        min: 0,
        minExclusive: true,
        max: 1_000_000,
        unit: 'kg',
        description: 'Mass of batteries processed',
      }),
      ...['Lithium', 'Nickel', 'Cobalt', 'Manganese', 'Copper', 'Aluminium', 'Iron', 'Graphite'].map((m) =>
        f({ name: `recovered${m}Kg`, kind: 'number', required: false, min: 0, max: 1_000_000, unit: 'kg', description: `${m} recovered` }),
      ),
    ),
  },
} satisfies Partial<Record<EventType, Row>>;
