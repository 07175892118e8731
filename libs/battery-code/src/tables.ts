/**
 * GB/T 34014-2017 code tables, as versioned data.
 *
 * Everything the codec needs to know about symbols lives here and nowhere else: the codec compiles a
 * table set into lookup arrays once and never hard-codes a symbol. Several facts are unconfirmed (the
 * full text of GB/T 34014-2017 was not available; see the domain reference, domain/README.md §1 and §9),
 * so every entry records its confidence. When a fact is confirmed or a revised standard appears,
 * publish a new table set with a new `version` instead of editing this one in place: codes already
 * decoded record the version they were decoded with.
 */

/** How far a fact can be trusted (domain README: [C] = confirmed; [P] partly and [U] = unconfirmed). */
export type Confidence = 'confirmed' | 'unconfirmed';

export type ProductTypeName = 'pack' | 'module' | 'cell';

/** Position 4: 产品类型代码. */
export interface ProductTypeEntry {
  readonly symbol: string;
  readonly name: ProductTypeName;
  readonly nameZh: string;
  readonly confidence: Confidence;
}

/** Position 5: 电池类型代码 (chemistry). `confidence` is about the *meaning* of the letter. */
export interface BatteryTypeEntry {
  readonly letter: string;
  readonly meaning: string;
  readonly meaningZh: string;
  readonly confidence: Confidence;
}

/** An ordered symbol alphabet: the value of a symbol is given by its index (see each use). */
export interface SymbolTable {
  readonly symbols: string;
  readonly confidence: Confidence;
  readonly note?: string;
}

export interface CodeTables {
  /** Identifies this table set; copied into every decoded code. */
  readonly version: string;
  readonly standard: string;
  /** Position 4. */
  readonly productTypes: readonly ProductTypeEntry[];
  /** Position 5. */
  readonly batteryTypes: readonly BatteryTypeEntry[];
  /** Characters allowed in the manufacturer (1–3), specification (6–7) and traceability (8–14) codes. */
  readonly alphanumeric: SymbolTable;
  /** Characters allowed in the serial number (18–24). */
  readonly serialDigits: SymbolTable;
  readonly date: {
    /** Year symbols; index i means `firstYear + i`. */
    readonly years: SymbolTable & {
      readonly firstYear: number;
      /** Whether the years repeat after the last symbol (a cycle of `symbols.length` years). */
      readonly cycleConfidence: Confidence;
    };
    /** Month symbols; index i means month i + 1. */
    readonly months: SymbolTable;
    /** Day symbols; index i means day i + 1. */
    readonly days: SymbolTable;
  };
  /** Allowed total lengths of a normalised code. They must match the fixed segment layout (see SEGMENT_LAYOUT). */
  readonly lengths: {
    readonly original: { readonly length: number; readonly confidence: Confidence };
    readonly cascade: { readonly length: number; readonly confidence: Confidence; readonly note?: string };
  };
  /** The two trailing characters of a cascade (梯次利用) code. */
  readonly cascade: {
    readonly marker: { readonly symbol: string; readonly confidence: Confidence; readonly note?: string };
    /** The final character; stored raw because its meaning is unknown. */
    readonly levels: SymbolTable;
  };
}

/**
 * Segment layout of the two code forms, 1-based inclusive positions. This is the structure of the
 * standard itself ([C], four independent sources), so the codec implements it in code; the tables only
 * supply the symbols allowed in each segment.
 */
export const SEGMENT_LAYOUT = {
  original: {
    manufacturer: [1, 3],
    productType: [4, 4],
    batteryType: [5, 5],
    specification: [6, 7],
    traceability: [8, 14],
    year: [15, 15],
    month: [16, 16],
    day: [17, 17],
    serial: [18, 24],
  },
  cascade: {
    manufacturer: [1, 3],
    productType: [4, 4],
    batteryType: [5, 5],
    specification: [6, 7],
    year: [8, 8],
    month: [9, 9],
    day: [10, 10],
    serial: [11, 17],
    cascadeMarker: [18, 18],
    cascadeLevel: [19, 19],
  },
} as const;

/** GB/T 34014-2017 as understood in November 2026 (domain README §1). */
export const GBT34014_2017: CodeTables = deepFreeze({
  version: 'gbt34014-2017/2026-11',
  standard: 'GB/T 34014-2017',
  productTypes: [
    { symbol: 'P', name: 'pack', nameZh: '电池包', confidence: 'confirmed' },
    { symbol: 'M', name: 'module', nameZh: '模块', confidence: 'confirmed' },
    { symbol: 'C', name: 'cell', nameZh: '单体', confidence: 'confirmed' },
  ],
  // The set {A..G, Z} is confirmed; only the meanings of B, E and Z are. A, C, D, F, G are from
  // recollection of the standard's table (README §1.3, §9 item 1).
  batteryTypes: [
    { letter: 'A', meaning: 'nickel-metal hydride (NiMH)', meaningZh: '镍氢电池', confidence: 'unconfirmed' },
    { letter: 'B', meaning: 'lithium iron phosphate (LFP)', meaningZh: '磷酸铁锂', confidence: 'confirmed' },
    { letter: 'C', meaning: 'lithium manganese oxide (LMO)', meaningZh: '锰酸锂', confidence: 'unconfirmed' },
    { letter: 'D', meaning: 'lithium cobalt oxide (LCO)', meaningZh: '钴酸锂', confidence: 'unconfirmed' },
    { letter: 'E', meaning: 'ternary (NCM/NCA)', meaningZh: '三元材料', confidence: 'confirmed' },
    { letter: 'F', meaning: 'supercapacitor', meaningZh: '超级电容器', confidence: 'unconfirmed' },
    { letter: 'G', meaning: 'lithium titanate (LTO)', meaningZh: '钛酸锂', confidence: 'unconfirmed' },
    { letter: 'Z', meaning: 'other', meaningZh: '其他', confidence: 'confirmed' },
  ],
  alphanumeric: { symbols: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', confidence: 'confirmed' },
  // Real samples all have numeric serials; NIO's synthetic test data has letters (README §1.2).
  serialDigits: { symbols: '0123456789', confidence: 'confirmed' },
  date: {
    // 1–9 then A–Y without I, O, Q, U: 30 symbols, 1 = 2011 … Y = 2040 (MES + NIO implementations agree).
    years: {
      symbols: '123456789ABCDEFGHJKLMNPRSTVWXY',
      firstYear: 2011,
      confidence: 'confirmed',
      cycleConfidence: 'unconfirmed',
      note: 'Repetition after 2040 (1 = 2041) is assumed, not confirmed.',
    },
    months: { symbols: '123456789ABC', confidence: 'confirmed' },
    // Same alphabet as the years for days 1–30, then 0 = 31 (MES `ri()`, NIO `day_option[0]`).
    days: { symbols: '123456789ABCDEFGHJKLMNPRSTVWXY0', confidence: 'confirmed' },
  },
  lengths: {
    original: { length: 24, confidence: 'confirmed' },
    cascade: {
      length: 19,
      confidence: 'unconfirmed',
      note: 'Catena-X regex and hobby decoders give 19; the Catena-X prose says 18.',
    },
  },
  cascade: {
    marker: {
      symbol: 'R',
      confidence: 'unconfirmed',
      note: 'From the Catena-X TractionBatteryCode regex only; the standard text was not available.',
    },
    levels: {
      symbols: 'PMC',
      confidence: 'unconfirmed',
      note: 'Meaning unknown (perhaps the original product level); stored raw.',
    },
  },
});

/** The table set used when none is passed. */
export const DEFAULT_TABLES: CodeTables = GBT34014_2017;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
