import type { TestApp } from './test-app';
import type { Firm } from './ledger-world';
import { accept, at, attrs, originalCode, postEvents, vin } from './ledger-world';

/** Helpers of the outlet tests: packs sold in a region, and packs removed from vehicles (waste for an outlet). */
export class OutletWorld {
  private serial = 0;

  constructor(
    private readonly t: TestApp,
    readonly maker: Firm,
    readonly vm: Firm,
    readonly repairer: Firm,
    base = 0,
  ) {
    this.serial = base;
  }

  next = () => ++this.serial;

  /** A pack of the maker's in a vehicle the vehicle maker sold in `regionCode` at hour 4. */
  async soldPack(regionCode = '350102', hourOfSale = 4): Promise<{ pack: string; car: string }> {
    const pack = originalCode('P', this.next());
    const car = vin(this.next());
    expect(
      (
        await postEvents(this.t, this.maker, [
          { type: 'produced', batteryCodes: [pack], occurredAt: at(0), payload: attrs },
          { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: this.vm.uscc },
        ])
      ).status,
    ).toBe('ACCEPTED');
    const body = await postEvents(this.t, this.vm, [
      { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car },
      { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { certificateNo: `WCC-${car}` } },
      { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(hourOfSale), vin: car, regionCode },
    ]);
    expect(body.status).toBe('ACCEPTED');
    return { pack, car };
  }

  /** A pack replaced by the repairer at hour 6: 'removed', held by the repairer. */
  async removedPack(): Promise<{ pack: string; car: string }> {
    const { pack, car } = await this.soldPack();
    const replacement = originalCode('P', this.next());
    expect(
      (
        await postEvents(this.t, this.maker, [
          { type: 'produced', batteryCodes: [replacement], occurredAt: at(0), payload: attrs },
          { type: 'delivered', batteryCodes: [replacement], occurredAt: at(5), counterpartyUscc: this.repairer.uscc },
        ])
      ).status,
    ).toBe('ACCEPTED');
    await accept(this.t, this.repairer, { type: 'replaced', batteryCodes: [pack], occurredAt: at(6), vin: car, payload: { replacementCode: replacement } });
    return { pack, car };
  }
}

export const outletBody = (over: Record<string, unknown> = {}) => ({
  name: '福州鼓楼网点',
  type: 'collection',
  address: '福建省福州市鼓楼区五四路1号',
  regionCode: '350102',
  coordinates: { lat: 26.08, lng: 119.3 },
  storageAreaM2: 20,
  capacityT: 4,
  contact: { phone: '+86 591 1234 5678' },
  openedOn: '2026-01-01',
  ...over,
});
