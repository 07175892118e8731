import { uuidv7 } from './uuid';

describe('uuidv7', () => {
  it('is a version-7, variant-1 UUID carrying the millisecond timestamp', () => {
    const at = Date.UTC(2026, 4, 1, 2, 3, 4, 567);
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('orders by time and does not repeat', () => {
    const a = uuidv7(1_000);
    const b = uuidv7(2_000);
    expect(a < b).toBe(true);
    const many = new Set(Array.from({ length: 10_000 }, () => uuidv7(5_000)));
    expect(many.size).toBe(10_000);
  });
});
