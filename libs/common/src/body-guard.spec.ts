import { bodyProblem, MAX_BODY_DEPTH } from './body-guard';

/** `{ c: { c: ... } }` with `levels` objects in all. */
function nested(levels: number): unknown {
  let body: unknown = { leaf: 1 };
  for (let i = 1; i < levels; i++) body = { c: body };
  return body;
}

describe('bodyProblem', () => {
  it('accepts ordinary bodies, arrays included, up to the depth limit', () => {
    expect(bodyProblem({ events: [{ type: 'produced', batteryCodes: ['A'], payload: { a: 1 } }], mode: 'atomic' })).toBeNull();
    expect(bodyProblem(nested(MAX_BODY_DEPTH))).toBeNull();
    expect(bodyProblem(undefined)).toBeNull();
    expect(bodyProblem([[[1]]])).toBeNull();
  });

  it('names where a body nests too deep', () => {
    expect(bodyProblem(nested(MAX_BODY_DEPTH + 1))).toEqual({ path: `${Array(MAX_BODY_DEPTH - 1).fill('c').join('.')}.c`, reason: `is nested deeper than ${MAX_BODY_DEPTH} levels` });
    // Deep enough to have exhausted the stack of a recursive walk: refused all the same, without recursion.
    expect(bodyProblem(nested(100_000))?.reason).toMatch(/nested deeper/);
    expect(bodyProblem({ batteries: [{ components: [nested(MAX_BODY_DEPTH)] }] })?.path).toMatch(/^batteries\[0\]\.components\[0\]\.c\./);
  });

  it('refuses an own __proto__ key wherever it is, as JSON.parse makes it', () => {
    expect(bodyProblem(JSON.parse('{"__proto__": null}'))).toEqual({ path: '__proto__', reason: 'is not an accepted field name' });
    expect(bodyProblem(JSON.parse('{"events": [{"payload": {"__proto__": {"x": 1}}}]}'))).toEqual({ path: 'events[0].payload.__proto__', reason: 'is not an accepted field name' });
    // An object literal's __proto__ sets the prototype; it is no key, and nothing to refuse.
    expect(bodyProblem({ __proto__: { x: 1 } })).toBeNull();
  });
});
