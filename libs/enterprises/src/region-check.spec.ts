import { regionProblems } from './region-check';

describe('regionProblems', () => {
  it('reports codes that are not GB/T 2260 divisions and passes real ones', () => {
    const rows = [
      { id: 'a', uscc: 'U1', name: 'Fuzhou firm', region_code: '350102' },
      { id: 'b', uscc: 'U2', name: 'Nowhere firm', region_code: '990000' },
      { id: 'c', uscc: 'U3', name: 'No region', region_code: null },
    ];
    const problems = regionProblems(rows);
    expect(problems.map((p) => p.enterpriseId)).toEqual(['b']);
    expect(problems[0].reason).toMatch(/990000/);
  });
});
