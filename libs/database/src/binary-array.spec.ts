import { Client } from 'pg';
import { testDatabaseEnv } from '../../../test/support/test-database';
import { binaryArray } from './binary-array';

// Integration: PostgreSQL itself decodes the arrays (array_recv), on the test server.
describe('binaryArray', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: testDatabaseEnv().maintenanceUrl });
    await client.connect();
    await client.query(`SET TIME ZONE 'UTC'`);
  });
  afterAll(async () => {
    await client.end();
  });

  /** What PostgreSQL reads from the parameter, as its own text output. */
  const asText = async (sql: string, param: Buffer): Promise<string> => (await client.query(`SELECT (${sql})::text AS t`, [param])).rows[0].t;

  it('passes every element type, with NULLs, as PostgreSQL reads it', async () => {
    expect(await asText('$1::text[]', binaryArray('text', ['B01PB24', null, '梯次利用 "cascade", {x}', '']))).toBe(
      '{B01PB24,NULL,"梯次利用 \\"cascade\\", {x}",""}',
    );
    expect(await asText('$1::uuid[]', binaryArray('uuid', ['0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B', null]))).toBe('{0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b,NULL}');
    expect(
      await asText('$1::timestamptz[]', binaryArray('timestamptz', [Date.UTC(2026, 3, 1, 8, 30, 0, 123), Date.UTC(1999, 11, 31, 23, 59, 59, 999), null])),
    ).toBe('{"2026-04-01 08:30:00.123+00","1999-12-31 23:59:59.999+00",NULL}');
    expect(await asText('$1::date[]', binaryArray('date', ['2026-01-15', '1999-12-31', null]))).toBe('{2026-01-15,1999-12-31,NULL}');
    expect(await asText('$1::int2[]', binaryArray('int2', [1, -2, null]))).toBe('{1,-2,NULL}');
    expect(await asText('$1::int4[]', binaryArray('int4', [2_000_000_000, -7]))).toBe('{2000000000,-7}');
    expect(await asText('$1::float8[]', binaryArray('float8', [350.4, -0.5, null]))).toBe('{350.4,-0.5,NULL}');
    expect(await asText('$1::bool[]', binaryArray('bool', [true, false, null]))).toBe('{t,f,NULL}');
    expect(await asText('$1::bytea[]', binaryArray('bytea', [Buffer.from([0, 255, 16]), null]))).toBe('{"\\\\x00ff10",NULL}');
    expect(await asText('$1::jsonb[]', binaryArray('jsonb', [{ b: 1, a: '电池' }, [1, null], null]))).toBe(
      '{"{\\"a\\": \\"电池\\", \\"b\\": 1}","[1, null]",NULL}',
    );
    expect(await asText('$1::text[]', binaryArray('text', []))).toBe('{}');
  });

  it('feeds multi-row statements: columns unnest side by side', async () => {
    const { rows } = await client.query(`SELECT unnest($1::text[]) AS code, unnest($2::int4[]) AS seq, unnest($3::timestamptz[]) AS at`, [
      binaryArray('text', ['A', 'B']),
      binaryArray('int4', [1, 2]),
      binaryArray('timestamptz', [0, 86_400_000]),
    ]);
    expect(rows).toEqual([
      { code: 'A', seq: 1, at: new Date(0) },
      { code: 'B', seq: 2, at: new Date(86_400_000) },
    ]);
  });

  it('is refused by PostgreSQL where the statement expects another element type', async () => {
    await expect(client.query('SELECT $1::uuid[]', [binaryArray('text', ['x'])])).rejects.toThrow(/element type/);
  });

  it('refuses values that are not of its type before anything is sent', () => {
    expect(() => binaryArray('uuid', ['not-a-uuid'])).toThrow(/not a UUID/);
    expect(() => binaryArray('uuid', ['0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g'])).toThrow(/not a UUID/);
    expect(() => binaryArray('date', ['2026-02-30x'])).toThrow(/not a date/);
    expect(() => binaryArray('date', ['2026-02-30'])).toThrow(/not a date/);
    expect(() => binaryArray('date', ['2026-13-01'])).toThrow(/not a date/);
    expect(() => binaryArray('timestamptz', [Number.NaN])).toThrow(/not a time/);
  });
});
