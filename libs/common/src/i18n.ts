/**
 * Chinese for the firms and regulators who read our errors. English stays the language of the code and the default of
 * the API; a request that prefers Chinese (`Accept-Language: zh-CN`, or any `zh…` ranked above English) gets every
 * error message and every rejection or warning reason in Chinese, with the stable `code` and `rule` fields unchanged.
 *
 * Each lib exports a catalogue, `<LIB>_MESSAGES_ZH: Record<string, string>`, keyed by its error codes and rules, and the
 * app registers them all at start-up (`registerMessages`); this lib imports no other lib. A text may hold `{name}`
 * placeholders, filled from the error's params (the optional last argument of DomainException) and then from the
 * fields of its first detail (for an envelope message) or of the detail itself (for a reason). A text that cannot be
 * filled completely is not used: the English stays rather than a sentence with a hole in it.
 *
 * Reasons whose English text carries values the Chinese needs (the ledger's, class-validator's) are matched by
 * registered patterns (`registerReasonPatterns`): a regular expression over the English with named groups, and the
 * Chinese with the same names as placeholders. A reason no pattern matches falls back to its rule's or code's text.
 */
export type Locale = 'en' | 'zh-CN';
export const DEFAULT_LOCALE: Locale = 'en';

export type MessageCatalogue = Readonly<Record<string, string>>;

/** An English reason text matched by `pattern` (named groups) and said in Chinese by `zh` (those names as `{…}`). */
export interface ReasonPattern {
  pattern: RegExp;
  zh: string;
}

/** The key under which class-validator's reasons (details of VALIDATION_FAILED without a rule or code) are patterned. */
export const VALIDATION_REASONS = 'VALIDATION';

const messages = new Map<string, string>();
const patterns = new Map<string, ReasonPattern[]>();

/** Adds a catalogue (code or rule → Chinese text). A key registered twice keeps the later text. */
export function registerMessages(...catalogues: MessageCatalogue[]): void {
  for (const catalogue of catalogues) for (const [key, text] of Object.entries(catalogue)) messages.set(key, text);
}

/** Adds patterns for the reasons of one rule or code (or VALIDATION_REASONS), tried in order before its plain text. */
export function registerReasonPatterns(key: string, list: readonly ReasonPattern[]): void {
  patterns.set(key, [...(patterns.get(key) ?? []), ...list]);
}

/** The Chinese text registered for a code or rule, if any. */
export function chineseMessage(key: string): string | undefined {
  return messages.get(key);
}

/** Every key with a Chinese text (for the test that walks every code and rule). */
export function registeredMessageKeys(): ReadonlySet<string> {
  return new Set(messages.keys());
}

/**
 * The locale an `Accept-Language` header asks for: Chinese when a `zh` range (zh, zh-CN, zh-Hans…) has a higher
 * quality than any English range (ties go to the earlier one); English otherwise, and for anything unparseable.
 */
export function localeFrom(header: string | readonly string[] | undefined): Locale {
  const text = Array.isArray(header) ? header.join(',') : (header as string | undefined);
  if (!text) return DEFAULT_LOCALE;
  let best: { locale: Locale; q: number } | null = null;
  for (const part of text.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const locale: Locale | null = range === 'zh' || range.startsWith('zh-') ? 'zh-CN' : range === 'en' || range.startsWith('en-') ? 'en' : null;
    if (locale && (best === null || q > best.q)) best = { locale, q };
  }
  return best?.locale ?? DEFAULT_LOCALE;
}

/**
 * `{name}` placeholders filled from `sources` (the first that has the name wins); undefined when one cannot be
 * filled. A value is itself translated when the catalogue has `name:value` (e.g. `segment:day` → 日).
 */
export function fillTemplate(template: string, ...sources: Record<string, unknown>[]): string | undefined {
  let missing = false;
  const text = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const source = sources.find((s) => s[name] !== undefined && s[name] !== null);
    if (!source) {
      missing = true;
      return '';
    }
    const value = source[name];
    const shown = Array.isArray(value) ? value.join('、') : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return messages.get(`${name}:${shown}`) ?? shown;
  });
  return missing ? undefined : text;
}

/** A reason (an error detail, a rejection or a warning) in Chinese, or the reason unchanged when none fits. */
export function chineseReason(detail: Record<string, unknown>): string | undefined {
  const english = typeof detail.reason === 'string' ? detail.reason : undefined;
  const params = isRecord(detail.params) ? detail.params : {};
  const keys = [detail.code, detail.rule].filter((k): k is string => typeof k === 'string');
  if (keys.length === 0) keys.push(VALIDATION_REASONS);
  for (const key of keys) {
    if (english !== undefined) {
      for (const p of patterns.get(key) ?? []) {
        const m = p.pattern.exec(english);
        if (m) {
          const text = fillTemplate(p.zh, m.groups ?? {}, params, detail);
          if (text !== undefined) return text;
        }
      }
    }
    const template = messages.get(key);
    if (template !== undefined && key !== VALIDATION_REASONS) {
      const text = fillTemplate(template, params, detail);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** An error envelope's message and details in the locale (the code and every other field unchanged). */
export function localiseError<D extends object>(
  locale: Locale,
  error: { code: string; message: string; details: D[]; params?: Record<string, unknown> },
): { message: string; details: D[] } {
  if (locale === DEFAULT_LOCALE) return { message: error.message, details: error.details };
  const template = messages.get(error.code);
  const first = (error.details[0] ?? {}) as Record<string, unknown>;
  const message = (template !== undefined ? fillTemplate(template, error.params ?? {}, first) : undefined) ?? error.message;
  return { message, details: error.details.map((d) => localiseReason(d)) };
}

/** One detail with its reason in Chinese (when one fits). */
export function localiseReason<D extends object>(detail: D): D {
  const r = detail as Record<string, unknown>;
  if (typeof r.reason !== 'string') return detail;
  const zh = chineseReason(r);
  return zh === undefined ? detail : ({ ...detail, reason: zh } as D);
}

/**
 * Every reason inside a response body in Chinese: objects with a string `reason` and a `rule` or `code` (rejections,
 * warnings, row results), and stored failures `{ code, message, details }` (an upload's). Returns a new value; the
 * body itself is not changed (it may be cached or shared).
 */
export function localiseBody(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => localiseBody(v, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = localiseBody(v, depth + 1);
  if (typeof out.reason === 'string' && (typeof out.rule === 'string' || typeof out.code === 'string')) {
    const zh = chineseReason(out);
    if (zh !== undefined) out.reason = zh;
  }
  if (typeof out.code === 'string' && typeof out.message === 'string' && Array.isArray(out.details)) {
    const template = messages.get(out.code);
    const text =
      template !== undefined ? fillTemplate(template, isRecord(out.params) ? out.params : {}, (out.details[0] ?? {}) as Record<string, unknown>) : undefined;
    if (text !== undefined) out.message = text;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Plain objects and DTO-like class instances; not dates, buffers, collections or streams (StreamableFile included). */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  if (v instanceof Date || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set) return false;
  const o = v as Record<string, unknown>;
  return typeof o.pipe !== 'function' && typeof o.getStream !== 'function';
}
