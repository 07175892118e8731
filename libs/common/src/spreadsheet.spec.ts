import { spreadsheetSafe } from './spreadsheet';

describe('spreadsheetSafe', () => {
  it('defuses text a spreadsheet would run as a formula', () => {
    for (const s of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '＝1+1', '＠SUM(1)']) expect(spreadsheetSafe(s)).toBe(`'${s}`);
  });
  it('leaves other text alone', () => {
    for (const s of ['', 'recycled', 'CE-0001', '1=1', '电池 = pack', "'quoted"]) expect(spreadsheetSafe(s)).toBe(s);
  });
});
