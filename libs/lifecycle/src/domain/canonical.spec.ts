import { createHash } from 'node:crypto';
import type { EventContent, StoredEvent, StoredLink } from './canonical';
import { canonicalContent, canonicalJson, contentHash, GENESIS_HASH, linkHash, verifyChain } from './canonical';

const content = (over: Partial<EventContent> = {}): EventContent => ({
  type: 'delivered',
  schemaVersion: 1,
  batteryCodes: ['001PB24A000001G1F0000001'],
  occurredAt: Date.parse('2026-03-01T10:00:00+08:00'),
  reporterEnterpriseId: '00000000-0000-4000-8000-000000000001',
  counterpartyEnterpriseId: '00000000-0000-4000-8000-000000000002',
  regionCode: '350102',
  vin: null,
  payload: { deliveryNoteNo: 'DN-1' },
  correctionOf: null,
  clientEventId: 'erp-1',
  ...over,
});

describe('canonical serialisation', () => {
  it('sorts keys at every level, drops undefined members and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x', z: undefined }, e: null })).toBe('{"a":{"c":"x","d":[3,1]},"b":1,"e":null}');
  });

  it('is independent of the order in which the payload was written', () => {
    const a = content({ payload: { a: 1, b: 2 } });
    const b = content({ payload: { b: 2, a: 1 } });
    expect(canonicalContent(a)).toBe(canonicalContent(b));
    expect(contentHash(a).equals(contentHash(b))).toBe(true);
  });

  it('survives a JSON round trip of the payload (as jsonb stores it)', () => {
    const payload = { nominalCapacityAh: 150.25, ratedEnergyKwh: 0.1 + 0.2, massKg: 380, note: '电池 "包"' };
    const e = content({ payload });
    const back = content({ payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown> });
    expect(contentHash(back).equals(contentHash(e))).toBe(true);
  });

  it('is exactly the canonical JSON of the content object', () => {
    for (const e of [
      content(),
      content({ vin: 'LGXCE4CB4N0000001', counterpartyEnterpriseId: null, clientEventId: null, payload: { z: [1, { b: 2, a: 'é' }], a: null } }),
    ]) {
      expect(canonicalContent(e)).toBe(
        canonicalJson({
          type: e.type,
          schemaVersion: e.schemaVersion,
          batteryCodes: e.batteryCodes,
          occurredAt: new Date(e.occurredAt).toISOString(),
          reporter: e.reporterEnterpriseId,
          counterparty: e.counterpartyEnterpriseId,
          regionCode: e.regionCode,
          vin: e.vin,
          payload: e.payload,
          correctionOf: e.correctionOf,
          clientEventId: e.clientEventId,
        }),
      );
    }
  });

  it('writes the business time in UTC with milliseconds', () => {
    expect(canonicalContent(content())).toContain('"occurredAt":"2026-03-01T02:00:00.000Z"');
  });

  it.each<[string, Partial<EventContent>]>([
    ['type', { type: 'installed' }],
    ['schemaVersion', { schemaVersion: 2 }],
    ['batteryCodes', { batteryCodes: ['001PB24A000001G1F0000002'] }],
    ['occurredAt', { occurredAt: Date.parse('2026-03-01T10:00:00.001+08:00') }],
    ['reporter', { reporterEnterpriseId: '00000000-0000-4000-8000-000000000009' }],
    ['counterparty', { counterpartyEnterpriseId: null }],
    ['regionCode', { regionCode: '350103' }],
    ['vin', { vin: '11111111111111111' }],
    ['payload', { payload: { deliveryNoteNo: 'DN-2' } }],
    ['correctionOf', { correctionOf: '00000000-0000-4000-8000-000000000003' }],
    ['clientEventId', { clientEventId: 'erp-2' }],
  ])('changes when %s changes', (_, change) => {
    expect(contentHash(content(change)).equals(contentHash(content()))).toBe(false);
  });

  it('hashes are SHA-256 of the UTF-8 canonical text, and of prev ‖ content ‖ code ‖ seq for links', () => {
    const c = content({ payload: { deliveryNoteNo: '发货单-001 ¥' } });
    const text = canonicalContent(c);
    expect(contentHash(c).toString('hex')).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    const prev = createHash('sha256').update('prev').digest();
    const seq = Buffer.alloc(4);
    seq.writeUInt32BE(70000);
    const expected = createHash('sha256')
      .update(Buffer.concat([prev, contentHash(c), Buffer.from('001PB24A000001G1F0000001', 'ascii'), seq]))
      .digest('hex');
    expect(linkHash(prev, contentHash(c), '001PB24A000001G1F0000001', 70000).toString('hex')).toBe(expected);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
  });

  it('writes numbers and keys as JSON does however often they repeat (their texts are remembered)', () => {
    // More distinct values than the memo keeps, each written twice, with the edge cases among them.
    const values = [0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, -350.4, 0.1 + 0.2, ...Array.from({ length: 5000 }, (_, i) => i / 7)];
    for (const v of [...values, ...values]) expect(canonicalJson(v)).toBe(JSON.stringify(v));
    expect(canonicalJson({ b: -0, a: 350.4 })).toBe('{"a":350.4,"b":0}');
    const keys = ['"quoted"', 'back\\slash', '\u2028', 'ключ', ...Array.from({ length: 5000 }, (_, i) => `k${i}`)];
    for (const k of [...keys, ...keys]) expect(canonicalJson({ [k]: 1 })).toBe(`{${JSON.stringify(k)}:1}`);
    // A non-finite number is refused every time, not only the first.
    for (let i = 0; i < 2; i++) expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/finite/);
  });
});

describe('hash chain verification', () => {
  const code = '001PB24A000001G1F0000001';

  function build(n: number) {
    const events = new Map<string, StoredEvent>();
    const links: StoredLink[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const c = content({ clientEventId: `erp-${seq}` });
      const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
      const hash = contentHash(c);
      events.set(id, { ...c, id, contentHash: hash, affectedCodes: c.batteryCodes });
      const link = linkHash(prev, hash, code, seq);
      links.push({ seq, eventId: id, prevHash: prev, linkHash: link });
      prev = link;
    }
    return { events, links, head: { seq: n, hash: prev } };
  }

  it('accepts an intact chain and reports its head', () => {
    const { events, links, head } = build(4);
    const r = verifyChain(code, [...links].reverse(), events, head);
    expect(r).toEqual({ batteryCode: code, ok: true, length: 4, head: head.hash.toString('hex'), firstBroken: null });
  });

  it('links the sequence number and the code into each link', () => {
    const h = contentHash(content());
    expect(linkHash(GENESIS_HASH, h, code, 1).equals(linkHash(GENESIS_HASH, h, code, 2))).toBe(false);
    expect(linkHash(GENESIS_HASH, h, code, 1).equals(linkHash(GENESIS_HASH, h, '001PB24A000001G1F0000002', 1))).toBe(false);
  });

  it('names an edited event (content no longer matches its hash)', () => {
    const { events, links, head } = build(4);
    const id = links[2].eventId;
    events.set(id, { ...events.get(id)!, payload: { deliveryNoteNo: 'forged' } });
    expect(verifyChain(code, links, events, head)).toMatchObject({
      ok: false,
      length: 2,
      firstBroken: { seq: 3, eventId: id, problem: 'content_hash_mismatch' },
    });
  });

  it('names an event whose content and stored hash were both rewritten (the link no longer follows)', () => {
    const { events, links, head } = build(4);
    const id = links[1].eventId;
    const forged = { ...events.get(id)!, payload: { deliveryNoteNo: 'forged' } };
    events.set(id, { ...forged, contentHash: contentHash(forged) });
    expect(verifyChain(code, links, events, head).firstBroken).toMatchObject({ seq: 2, eventId: id, problem: 'link_hash_mismatch' });
  });

  it('names a deleted link in the middle and one at the end', () => {
    const { events, links, head } = build(4);
    expect(
      verifyChain(
        code,
        links.filter((l) => l.seq !== 2),
        events,
        head,
      ).firstBroken,
    ).toMatchObject({ seq: 2, problem: 'missing_link' });
    expect(verifyChain(code, links.slice(0, 3), events, head).firstBroken).toMatchObject({ seq: 4, problem: 'missing_link' });
  });

  it('names a link that does not continue the previous one, a missing event and a moved head', () => {
    const { events, links, head } = build(3);
    const swapped = links.map((l) => (l.seq === 3 ? { ...l, prevHash: links[0].linkHash } : l));
    expect(verifyChain(code, swapped, events, head).firstBroken).toMatchObject({ seq: 3, problem: 'prev_hash_mismatch' });
    const gone = new Map(events);
    gone.delete(links[0].eventId);
    expect(verifyChain(code, links, gone, head).firstBroken).toMatchObject({ seq: 1, problem: 'event_missing' });
    expect(verifyChain(code, links, events, { seq: 3, hash: links[1].linkHash }).firstBroken).toMatchObject({ seq: 3, problem: 'head_mismatch' });
  });

  it('names a link to an event about another battery', () => {
    const { events, links, head } = build(2);
    const id = links[0].eventId;
    events.set(id, { ...events.get(id)!, affectedCodes: ['001PB24A000001G1F0000009'] });
    expect(verifyChain(code, links, events, head).firstBroken).toMatchObject({ seq: 1, problem: 'event_not_about_battery' });
  });
});
