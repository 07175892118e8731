import { CONFLICT_ATTEMPTS, isRetryableConflict } from './conflicts';

describe('retry policy for lost races', () => {
  it.each(['23505', '40001', '40P01'])('retries SQLSTATE %s', (code) => {
    expect(isRetryableConflict(Object.assign(new Error('race'), { code }))).toBe(true);
  });

  it.each([
    ['a check violation', { code: '23514' }],
    ['a syntax error', { code: '42601' }],
    ['an error without a code', new Error('boom')],
    ['a numeric code', { code: 40001 }],
    ['null', null],
    ['undefined', undefined],
  ])('does not retry %s', (_what, error) => {
    expect(isRetryableConflict(error)).toBe(false);
  });

  it('allows more than one attempt', () => {
    expect(CONFLICT_ATTEMPTS).toBeGreaterThan(1);
  });
});
