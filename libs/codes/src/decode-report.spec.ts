import {
  addToSummary,
  codeLine,
  decodeInput,
  emptySummary,
  formatDecodeBlock,
  formatJsonLine,
  formatSummary,
  formatTsvLine,
  TSV_COLUMNS,
} from './decode-report';

const NOW = new Date('2026-11-25T12:00:00+08:00');
const CATL = '001CB240000003B3C0221953';
const EVE = '04QCB76836300JBC40000903';

describe('decode report (CLI decode and POST /v1/codes/decode)', () => {
  it('decodes a string or two fragments, with the given clock', () => {
    const item = decodeInput(CATL, NOW);
    expect(item).toMatchObject({ ok: true, input: CATL, code: { manufacturerCode: '001', productionDate: '2021-03-12', serial: '0221953' } });
    expect(decodeInput(['04qcb7683630', '0jbc40000903'], NOW)).toMatchObject({ ok: true, code: { code: EVE, productionDate: '2021-12-04' } });
    // X2M = 2039-02-21: valid with a clock in 2040, a future date now.
    expect(decodeInput('X12MCPM27KLPCLX2M2382320', new Date('2040-01-01T00:00:00Z')).ok).toBe(true);
    expect(decodeInput('X12MCPM27KLPCLX2M2382320', NOW)).toMatchObject({ ok: false, errors: [{ code: 'FUTURE_DATE' }] });
  });

  it('prints a readable block of fields for a valid code', () => {
    expect(formatDecodeBlock(decodeInput(CATL, NOW))).toBe(
      [
        `${CATL}: valid original code`,
        '  manufacturer code   001',
        '  product type        C = cell (单体)',
        '  battery type        B = lithium iron phosphate (LFP) (磷酸铁锂)',
        '  specification code  24',
        '  traceability code   0000003',
        '  production date     2021-03-12',
        '  serial number       0221953',
        '  code tables         gbt34014-2017/2026-11',
      ].join('\n'),
    );
  });

  it('shows the normalisation, cascade specifics and unconfirmed meanings', () => {
    const block = formatDecodeBlock(decodeInput('001-ca24-b3c-0221953-rm', NOW));
    expect(block.split('\n')[0]).toBe('001-ca24-b3c-0221953-rm -> 001CA24B3C0221953RM: valid cascade code');
    expect(block).toContain('battery type        A = nickel-metal hydride (NiMH) (镍氢电池) [meaning unconfirmed]');
    expect(block).toContain('traceability code   - (a cascade code has none)');
    expect(block).toContain('cascade level       M [meaning unconfirmed]');
  });

  it('prints every error of an invalid code', () => {
    expect(formatDecodeBlock(decodeInput('001cb240000003b3u022195x', NOW))).toBe(
      [
        '001cb240000003b3u022195x (normalised: 001CB240000003B3U022195X): INVALID (2 errors)',
        "  position 17 (day): 'U' is not a day symbol",
        "  position 24 (serial): 'X' is not a serial-number digit",
      ].join('\n'),
    );
    expect(formatDecodeBlock(decodeInput('BAD', NOW))).toBe(
      'BAD: INVALID (1 error)\n  length 3: expected 24 characters (original code) or 19 characters (cascade code)',
    );
  });

  it('prints one tab-separated line per code, matching the header', () => {
    const ok = formatTsvLine(decodeInput('001cb2400000 03b3c0221953', NOW)).split('\t');
    expect(ok).toHaveLength(TSV_COLUMNS.length);
    expect(ok).toEqual(['001cb2400000 03b3c0221953', 'ok', CATL, 'original', '001', 'C', 'B', '24', '0000003', '2021-03-12', '0221953', '']);
    const bad = formatTsvLine(decodeInput('BAD\tX', NOW)).split('\t');
    expect(bad).toHaveLength(TSV_COLUMNS.length);
    expect(bad.slice(0, 3)).toEqual(['BAD X', 'error', 'BADX']);
    expect(bad[11]).toBe('length 4: expected 24 characters (original code) or 19 characters (cascade code)');
  });

  it('prints JSON lines that parse back', () => {
    const line = formatJsonLine(decodeInput('001CB240000003B3U0221953', NOW));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ ok: false, errors: [{ segment: 'day', position: 17, found: 'U' }] });
  });

  it('summarises a run, counting errors by segment', () => {
    const summary = emptySummary();
    for (const code of [CATL, EVE, 'BAD', '001CB240000003B3U022195X', '001CB240000003B3U0221953']) addToSummary(summary, decodeInput(code, NOW));
    expect(summary).toEqual({ total: 5, valid: 2, invalid: 3, errorsBySegment: { length: 1, day: 2, serial: 1 } });
    expect(formatSummary(summary)).toBe('5 codes: 2 valid, 3 invalid (errors by segment: day 2, length 1, serial 1)');
    expect(formatSummary(addToSummary(emptySummary(), decodeInput(CATL, NOW)))).toBe('1 code: 1 valid, 0 invalid');
  });

  it('skips blank lines of a scanner export and strips line endings', () => {
    expect(codeLine('')).toBeNull();
    expect(codeLine('  \t \r')).toBeNull();
    expect(codeLine(`${CATL}\r`)).toBe(CATL);
    expect(codeLine(` ${CATL} `)).toBe(` ${CATL} `);
  });
});
