import { DataSource } from 'typeorm';
import type { Pool, PoolClient } from 'pg';
import { StatementShapes } from '../libs/database/src';
import { loadForBatch } from '../libs/lifecycle/src/ledger-store';
import type { TestApp } from './support/test-app';
import { startTestApp } from './support/test-app';
import { accept, at, attrs, cellAttrs, createFirm, moduleAttrs, originalCode, postEvents, vin } from './support/ledger-world';

/**
 * The ledger's load and write run as named prepared statements with generic plans, built once per pooled
 * connection and kept until PostgreSQL invalidates them. The first batches of a new installation build them on
 * nearly empty tables, where a sequential scan is the cheapest plan; cached, such a plan would scan whole tables
 * for every later batch. This file starts on an empty database and checks the plans that were actually cached.
 */
describe('the ledger store: its prepared statements and what the load reads back (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every idle pooled connection of the app (none is busy between requests), checked out together. */
  async function pooledConnections<T>(fn: (clients: PoolClient[]) => Promise<T>): Promise<T> {
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    const clients: PoolClient[] = [];
    try {
      for (let i = pool.idleCount; i > 0; i--) clients.push(await pool.connect());
      return await fn(clients);
    } finally {
      for (const c of clients) c.release();
    }
  }

  it('names the first texts of a statement shape and runs the rest unnamed, each with its own result', async () => {
    const shapes = new StatementShapes('spec.shape', 2);
    const runner = t.app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      const texts = ['SELECT $1::int + 1 AS v', 'SELECT $1::int + 2 AS v', 'SELECT $1::int + 3 AS v'];
      for (let round = 0; round < 2; round++) {
        for (const [i, text] of texts.entries()) expect(await shapes.runIn<{ v: number }>(runner.manager, text, [10])).toEqual([{ v: 11 + i }]);
      }
      const prepared = await runner.query(`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'spec.shape.%' ORDER BY name`);
      expect(prepared).toEqual([
        { name: 'spec.shape.1', statement: texts[0] },
        { name: 'spec.shape.2', statement: texts[1] },
      ]);
      expect(shapes.named).toBe(2);
    } finally {
      await runner.release();
    }
  });

  it('caches index plans only, for the load (locked and not), the content look-up and every shape of the write', async () => {
    const maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
    const vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    const packs = Array.from({ length: 3 }, (_, i) => originalCode('P', 900 + i));
    const produced = await postEvents(
      t,
      maker,
      packs.map((code) => ({ type: 'produced', batteryCodes: [code], occurredAt: at(0), payload: attrs })),
    );
    expect(produced.status).toBe('ACCEPTED');
    const delivered = await postEvents(
      t,
      maker,
      packs.map((code, i) => ({
        type: 'delivered',
        batteryCodes: [code],
        occurredAt: at(1),
        counterpartyUscc: vm.uscc,
        payload: { deliveryNoteNo: `DN-${i}` },
      })),
    );
    expect(delivered.status).toBe('ACCEPTED');
    // Sent again, the hand-overs are duplicates found by their content (the look-up by content hash runs); a
    // dry run of both reads without locking, through its own statements.
    const handOvers = packs.map((code, i) => ({
      type: 'delivered',
      batteryCodes: [code],
      occurredAt: at(1),
      counterpartyUscc: vm.uscc,
      payload: { deliveryNoteNo: `DN-${i}` },
    }));
    expect((await postEvents(t, maker, handOvers)).counts.duplicate).toBe(packs.length);
    expect((await postEvents(t, maker, handOvers, { dryRun: true })).counts.duplicate).toBe(packs.length);
    const more = [originalCode('P', 910), originalCode('P', 911)].map((code) => ({
      type: 'produced',
      batteryCodes: [code],
      occurredAt: at(0),
      payload: attrs,
    }));
    expect((await postEvents(t, maker, more, { dryRun: true })).counts.accepted).toBe(2);

    const plans = await pooledConnections(async (clients) => {
      const found: { name: string; plan: string }[] = [];
      for (const c of clients) {
        const statements = (
          await c.query<{ name: string; parameter_types: string }>(
            `SELECT name, parameter_types::text FROM pg_prepared_statements
            WHERE name IN ('ledger.load_locked', 'ledger.load', 'ledger.prior_by_content') OR name LIKE 'ledger.write.%'`,
          )
        ).rows;
        for (const s of statements) {
          // EXPLAIN EXECUTE shows the plan cached for the statement (generic, as the ingest asks); NULL for every
          // parameter, nothing is executed. Sequential scans stay allowed here: a plan built now, because none was
          // cached, would show them.
          const count = s.parameter_types === '{}' ? 0 : s.parameter_types.split(',').length;
          const args = count === 0 ? '' : `(${Array.from({ length: count }, () => 'NULL').join(', ')})`;
          await c.query('BEGIN');
          try {
            await c.query(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`);
            const rows = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE "${s.name}"${args}`)).rows;
            found.push({ name: s.name, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
          } finally {
            await c.query('ROLLBACK');
          }
        }
      }
      return found;
    });

    const names = new Set(plans.map((p) => p.name));
    for (const name of ['ledger.load_locked', 'ledger.load', 'ledger.prior_by_content']) expect([name, names.has(name)]).toEqual([name, true]);
    // A registering batch and a hand-over batch have different write shapes.
    expect([...names].filter((n) => n.startsWith('ledger.write.')).length).toBeGreaterThanOrEqual(2);
    for (const p of plans) {
      const scans = p.plan
        .split('\n')
        .filter((line) => /Seq Scan on (batteries|lifecycle_events|battery_parties|battery_event_chain|enterprises)\b/.test(line));
      expect({ statement: p.name, seqScans: scans }).toEqual({ statement: p.name, seqScans: [] });
    }
  });
  it('reads every battery state back exactly as stored, NULLs and empty region lists included', async () => {
    const maker = await createFirm(t, '电池厂', ['battery_maker'], '350102', ['002']);
    const vm = await createFirm(t, '汽车厂', ['vehicle_maker']);
    const code = (level: 'P' | 'M' | 'C', serial: number) => originalCode(level, serial, { manufacturer: '002' });
    const [pack, handedOver, installed, module] = [code('P', 950), code('P', 951), code('P', 952), code('M', 953)];
    const cells = [code('C', 954), code('C', 955)];
    const registered = await postEvents(t, maker, [
      { type: 'produced', batteryCodes: [pack, handedOver, installed], occurredAt: at(0), payload: attrs },
      { type: 'produced', batteryCodes: [module], occurredAt: at(0), payload: { ...moduleAttrs, parentCode: pack } },
      { type: 'produced', batteryCodes: cells, occurredAt: at(0), payload: { ...cellAttrs, parentCode: module } },
    ]);
    expect(registered.status).toBe('ACCEPTED');
    await accept(t, maker, {
      type: 'delivered',
      batteryCodes: [handedOver],
      occurredAt: at(1),
      counterpartyUscc: vm.uscc,
      payload: { deliveryNoteNo: 'DN-1' },
    });
    await accept(t, maker, { type: 'delivered', batteryCodes: [installed], occurredAt: at(1), counterpartyUscc: vm.uscc, regionCode: '440305' });
    await accept(t, vm, { type: 'installed', batteryCodes: [installed], occurredAt: at(2), vin: vin(956) });
    // A battery with no region at all: its row is edited to an empty list (the load must give [] back, not [""]).
    await t.sql(`UPDATE batteries SET region_keys = '{}' WHERE code = $1`, [cells[1]]);

    const codes = [pack, handedOver, installed, module, ...cells];
    const loaded = await loadForBatch(t.app.get(DataSource).manager, { reporterId: maker.id, codes, clientIds: [], corrections: [], lock: false });
    const rows = await t.sql<Record<string, unknown>>(
      `SELECT code, form, product_type, nominal_capacity_ah, nominal_voltage_v, rated_energy_kwh, mass_kg, producer_enterprise_id, produced_event_id,
              status, holder_enterprise_id, pending_handover_to, vin, parent_code, region_keys, last_event_id, last_event_type,
              (extract(epoch FROM last_event_at) * 1000)::float8 AS last_event_ms, chain_seq, chain_head
         FROM batteries WHERE code = ANY($1) ORDER BY code`,
      [codes],
    );
    expect(rows).toHaveLength(codes.length);
    expect(rows.some((r) => r.vin !== null) && rows.some((r) => r.pending_handover_to !== null) && rows.some((r) => r.holder_enterprise_id === null)).toBe(
      true,
    );
    expect(rows.some((r) => r.rated_energy_kwh === null)).toBe(true);
    for (const r of rows) {
      expect(loaded.states.get(r.code as string)).toEqual({
        code: r.code,
        form: r.form,
        level: r.product_type,
        decoded: null,
        nominalCapacityAh: r.nominal_capacity_ah,
        nominalVoltageV: r.nominal_voltage_v,
        ratedEnergyKwh: r.rated_energy_kwh,
        massKg: r.mass_kg,
        producerId: r.producer_enterprise_id,
        producedEventId: r.produced_event_id,
        status: r.status,
        holderId: r.holder_enterprise_id,
        pendingTo: r.pending_handover_to,
        vin: r.vin,
        parentCode: r.parent_code,
        regionKeys: r.region_keys,
        lastEventId: r.last_event_id,
        lastEventType: r.last_event_type,
        lastEventAt: Math.round(r.last_event_ms as number),
        chainSeq: r.chain_seq,
        chainHead: r.chain_head,
        isNew: false,
        changed: false,
      });
    }
  });
});
