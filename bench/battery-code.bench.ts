/**
 * Benchmark: battery-code `parse` throughput against a single compiled RegExp that only checks the shape.
 *
 * Targets (issue "GB/T 34014 codes"): parse >= 1,000,000 codes/s on one core, and at least half the speed of
 * the shape-only RegExp. Both run in the same process over the same codes, alternating, for several rounds;
 * medians of the rates and of the per-round ratios are reported. Run: `npm run bench -- codec`.
 */
import { format, parse } from '../libs/battery-code/src';

const VALID = 200_000;
const INVALID = 10_000;
const ROUNDS = 9;

/**
 * The regex of domain README §1.2 (new-product code, with its capture groups) plus the cascade alternative
 * of §1.5, in one pattern. Like `parse` it accepts 24- and 19-character codes; unlike `parse` it checks
 * neither calendar dates nor future dates and decodes nothing.
 */
const DATE = '([1-9A-HJ-NPR-TV-Y])([1-9A-C])([0-9A-HJ-NPR-TV-Y])';
const SHAPE = new RegExp(
  `^(?:([0-9A-Z]{3})([PMC])([A-GZ])([0-9A-Z]{2})([0-9A-Z]{7})${DATE}([0-9]{7})` + `|[0-9A-Z]{3}[PMC][A-GZ][0-9A-Z]{2}${DATE}[0-9]{7}R[PMC])$`,
);

/** Deterministic PRNG (mulberry32) so that every run measures the same codes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeCodes(): { codes: string[]; expectedValid: number } {
  const random = prng(34014);
  const pick = (alphabet: string, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
    return s;
  };
  const alnum = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const now = new Date();
  const codes: string[] = [];
  while (codes.length < VALID) {
    // Production dates spread over 2011 … 2025 (never in the future, never impossible).
    const date = new Date(Date.UTC(2011, 0, 1) + Math.floor(random() * 15 * 365) * 86_400_000);
    const common = {
      manufacturerCode: pick(alnum, 3),
      productType: pick('PMC', 1),
      batteryType: pick('ABCDEFGZ', 1),
      specificationCode: pick(alnum, 2),
      productionDate: date.toISOString().slice(0, 10),
      serial: Math.floor(random() * 10_000_000),
    };
    // One code in ten is a cascade (19-character) code.
    const result =
      random() < 0.1
        ? format({ ...common, form: 'cascade', cascadeLevel: pick('PMC', 1) }, { now })
        : format({ ...common, traceabilityCode: pick(alnum, 7) }, { now });
    if (!result.ok) throw new Error(`benchmark generator made an invalid code: ${JSON.stringify(result.errors)}`);
    codes.push(result.code.code);
  }
  // Invalid codes: one position of a valid code replaced by a character no segment allows.
  for (let i = 0; i < INVALID; i++) {
    const code = codes[i];
    const at = Math.floor(random() * code.length);
    codes.push(code.slice(0, at) + '*' + code.slice(at + 1));
  }
  // Shuffle, so that neither matcher sees long runs of one kind.
  for (let i = codes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [codes[i], codes[j]] = [codes[j], codes[i]];
  }
  // Codes built by concatenation are V8 "cons" strings; codes read from a request or a file are flat.
  // Flatten them, so that neither matcher pays for (or is slowed by) flattening in the measured loop.
  return { codes: JSON.parse(JSON.stringify(codes)) as string[], expectedValid: VALID };
}

type Matcher = (code: string) => boolean;

/** codes/s of one pass over all codes, and how many were accepted. */
function measure(matcher: Matcher, codes: readonly string[]): { perSecond: number; valid: number } {
  let valid = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < codes.length; i++) if (matcher(codes[i])) valid++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: codes.length / seconds, valid };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<void> {
  const { codes, expectedValid } = makeCodes();
  const batch = { now: new Date() };
  const matchers: { name: string; matcher: Matcher }[] = [
    // The default: the system clock (its day cached until midnight in Beijing).
    { name: 'parse(code)', matcher: (code) => parse(code).ok },
    // As a bulk upload would call it: one `now` for the whole batch.
    { name: 'parse(code, { now })', matcher: (code) => parse(code, batch).ok },
    { name: 'RegExp.test (shape only)', matcher: (code) => SHAPE.test(code) },
  ];
  console.log(
    `battery-code: ${fmt(codes.length)} codes (${fmt(expectedValid)} valid, ${fmt(codes.length - expectedValid)} invalid), ` +
      `${ROUNDS} rounds, matchers alternating, single thread, node ${process.version}`,
  );
  // Warm-up: let every matcher reach optimised code before measuring.
  for (const { matcher } of matchers) measure(matcher, codes);

  const rates = matchers.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, so that no matcher always runs right after another's garbage is collected.
    for (let k = 0; k < matchers.length; k++) {
      const m = (round + k) % matchers.length;
      const { perSecond, valid } = measure(matchers[m].matcher, codes);
      if (valid !== expectedValid) throw new Error(`${matchers[m].name} accepted ${valid} codes, expected ${expectedValid}`);
      rates[m].push(perSecond);
    }
  }
  const medians = rates.map(median);
  // Ratios are taken per round (the matchers ran moments apart) and their median reported: on a shared
  // machine a slow spell then affects both sides of a ratio, rather than one side of a ratio of medians.
  const ratios = rates.map((r) => median(r.map((rate, round) => rate / rates[2][round])));
  matchers.forEach(({ name }, m) => {
    const ratio = m === 2 ? '' : `, ratio to RegExp ${ratios[m].toFixed(2)}`;
    console.log(`  ${name.padEnd(26)} median ${fmt(medians[m]).padStart(11)} codes/s${ratio} (rounds: ${rates[m].map(fmt).join(', ')})`);
  });
  // The targets are checked on the default call, the slower of the two.
  const parseRate = medians[0];
  console.log(`  target parse >= 1,000,000 codes/s: ${parseRate >= 1e6 ? 'met' : 'NOT met'} (${fmt(parseRate)})`);
  console.log(`  target parse/RegExp >= 0.5: ${ratios[0] >= 0.5 ? 'met' : 'NOT met'} (${ratios[0].toFixed(2)})`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
