import { bodyProblem, MAX_BODY_DEPTH } from './body-guard';
import { storableJson, storableText, unstorableText } from './text';

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
    expect(bodyProblem(nested(MAX_BODY_DEPTH + 1))).toEqual({
      path: `${Array(MAX_BODY_DEPTH - 1)
        .fill('c')
        .join('.')}.c`,
      reason: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
    });
    // Deep enough to have exhausted the stack of a recursive walk: refused all the same, without recursion.
    expect(bodyProblem(nested(100_000))?.reason).toMatch(/nested deeper/);
    expect(bodyProblem({ batteries: [{ components: [nested(MAX_BODY_DEPTH)] }] })?.path).toMatch(/^batteries\[0\]\.components\[0\]\.c\./);
  });

  it('refuses an own __proto__ key wherever it is, as JSON.parse makes it', () => {
    expect(bodyProblem(JSON.parse('{"__proto__": null}'))).toEqual({ path: '__proto__', reason: 'is not an accepted field name' });
    expect(bodyProblem(JSON.parse('{"events": [{"payload": {"__proto__": {"x": 1}}}]}'))).toEqual({
      path: 'events[0].payload.__proto__',
      reason: 'is not an accepted field name',
    });
    // An object literal's __proto__ sets the prototype; it is no key, and nothing to refuse.
    expect(bodyProblem({ __proto__: { x: 1 } })).toBeNull();
  });
});

describe('text PostgreSQL cannot store as sent', () => {
  it('refuses NUL and unpaired surrogates in any string or field name, naming where', () => {
    expect(bodyProblem({ name: 'a\u0000b' })).toEqual({ path: 'name', reason: expect.stringContaining('NUL characters or unpaired UTF-16 surrogates') });
    expect(bodyProblem({ contact: { email: 'x\ud800@y.cn' } })?.path).toBe('contact.email');
    expect(bodyProblem({ tags: ['ok', 'bad\udc00'] })?.path).toBe('tags[1]');
    expect(bodyProblem({ ['k\u0000']: 1 })).toEqual({ path: 'k\u0000', reason: 'is a field name with NUL characters or unpaired UTF-16 surrogates' });
  });

  it('lets through every other text: other control characters, Chinese, characters beyond the BMP', () => {
    expect(bodyProblem({ a: '更换\t模组\n', b: '𠀀🔋', c: '\u0001' })).toBeNull();
    expect(unstorableText('🔋')).toBe(false);
    expect(unstorableText('\ud83d')).toBe(true);
    expect(unstorableText('\udd0b\ud83d')).toBe(true);
  });
});

describe('storable text, for messages that quote what a file held', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD and keeps the rest', () => {
    expect(storableText('a\u0000b\ud800c\udc00🔋')).toBe('a\ufffdb\ufffdc\ufffd🔋');
    expect(storableText('中文 ok')).toBe('中文 ok');
    expect(storableJson({ ['k\u0000']: [{ reason: "'\u0000' is not a code" }, 3, null] })).toEqual({
      ['k\ufffd']: [{ reason: "'\ufffd' is not a code" }, 3, null],
    });
  });
});

describe('skipping the text check when the raw body has no escape', () => {
  it('looks at strings only when told the body may hold an escape', () => {
    expect(bodyProblem({ name: 'a\u0000b' }, false)).toBeNull();
    expect(bodyProblem({ name: 'a\u0000b' }, true)?.path).toBe('name');
    // Depth and __proto__ are checked either way.
    expect(bodyProblem(JSON.parse('{"__proto__": 1}'), false)?.path).toBe('__proto__');
  });
});
