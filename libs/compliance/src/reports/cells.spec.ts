import { neutraliseCell } from './cells';

describe('neutraliseCell', () => {
  it('prefixes text that a spreadsheet would run as a formula, and leaves the rest', () => {
    expect(['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '\rx'].map(neutraliseCell)).toEqual(["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tx", "'\rx"]);
    expect(['P1', '迟报 3 个工作日', 5, null, true].map(neutraliseCell)).toEqual(['P1', '迟报 3 个工作日', '5', '', 'true']);
  });
});
