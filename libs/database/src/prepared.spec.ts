import { PreparedStatement } from './prepared';

describe('PreparedStatement', () => {
  it('refuses a second text under a name already used (pg would fail on the connection that prepared the first)', () => {
    new PreparedStatement('spec.same_name', 'SELECT 1');
    expect(() => new PreparedStatement('spec.same_name', 'SELECT 1')).not.toThrow();
    expect(() => new PreparedStatement('spec.same_name', 'SELECT 2')).toThrow(/spec\.same_name is defined twice/);
  });
});
