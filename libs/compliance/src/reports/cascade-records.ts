/**
 * The checks of the cascade obligations report that read other modules' records rather than the ledger's events:
 * structured residual-capacity tests (art. 10, `residual_tests` of #libs/testing), cascade products' label data
 * and linked original codes (art. 15, `cascade_products` and `cascade_product_sources` of #libs/cascade), and outlet
 * coverage against where the firm's products went (art. 19, #libs/outlets' coverage query). The tables are read
 * in SQL, like the ledger; the rules that judge a record (which grade allows which application, which label fields
 * are required) come from the owning libs, so that the report and the module never disagree.
 */
import { missingLabelFields } from '#libs/cascade';
import type { CoverageService } from '#libs/outlets';
import { gradeAllows } from '#libs/testing';
import type { DataSource } from 'typeorm';
import { CASCADE_FINDINGS_ZH, CascadeFindingCode } from '../errors';
import type { ReportRow } from './timeliness';

/** A check the report cannot make, and why: listed in the summary, never passed silently. */
export interface NotAssessed {
  article: string;
  check: string;
  reason: string;
}

export interface CascadeRecordsResult {
  rows: ReportRow[];
  counts: Record<'art. 10' | 'art. 15' | 'art. 19', number>;
  /** The sources of the assemblies checked. */
  sources: number;
  notAssessed: NotAssessed[];
}

interface SourceRow {
  event_id: string;
  occurred_at: Date;
  source_code: string;
  cascade_code: string | null;
  application: string | null;
  test_id: string | null;
  grade: string | null;
  applications: string[] | null;
}

interface ProductRow {
  event_id: string;
  occurred_at: Date;
  event_codes: string[];
  cascade_code: string | null;
  product: string | null;
  nominal_capacity_ah: number | null;
  nominal_voltage_v: number | null;
  firm_name: string | null;
  firm_address: string | null;
  place_of_origin: string | null;
  gtin: string | null;
  sources: string[] | null;
}

const row = (article: string, code: CascadeFindingCode, finding: string, data: Record<string, unknown>): ReportRow => ({
  section: 'finding',
  data: { article, code, finding, findingZh: CASCADE_FINDINGS_ZH[code], ...data },
});

/**
 * Arts. 10, 15 and 19 for one firm. `assembled`: the firm's `cascade_assembled` events in the period and under the
 * report's watermark (collected while the ledger was streamed); `coverageOn`: the date whose outlet coverage counts.
 */
export async function cascadeRecordFindings(
  db: DataSource,
  coverage: CoverageService,
  firm: { id: string; roles: readonly string[] },
  assembled: readonly string[],
  coverageOn: string,
): Promise<CascadeRecordsResult> {
  const rows: ReportRow[] = [];
  const counts = { 'art. 10': 0, 'art. 15': 0, 'art. 19': 0 };
  const add = (article: keyof typeof counts, r: ReportRow) => {
    counts[article] += 1;
    rows.push(r);
  };

  // Art. 10: each source's latest test by this firm up to the assembly, and whether its grade allows the product's
  // application (the product record's field, else the event's payload).
  const sources = await db.query<SourceRow[]>(
    `SELECT e.id AS event_id, e.occurred_at, s.code AS source_code, e.payload->>'cascadeCode' AS cascade_code,
            COALESCE(p.application_field, e.payload->>'application') AS application, t.id AS test_id, t.grade, t.applications
       FROM lifecycle_events e
       CROSS JOIN LATERAL unnest(e.battery_codes) WITH ORDINALITY AS s(code, n)
       LEFT JOIN cascade_products p ON p.code = e.payload->>'cascadeCode'
       LEFT JOIN LATERAL (SELECT r.id, r.grade, r.applications FROM residual_tests r
                           WHERE r.battery_code = s.code AND r.enterprise_id = e.reporter_enterprise_id AND r.tested_at <= e.occurred_at
                           ORDER BY r.tested_at DESC, r.id DESC LIMIT 1) t ON true
      WHERE e.id = ANY($1::uuid[])
      ORDER BY e.occurred_at, e.id, s.n`,
    [assembled],
  );
  for (const s of sources) {
    const at = {
      batteryCode: s.source_code,
      cascadeCode: s.cascade_code,
      eventId: s.event_id,
      type: 'cascade_assembled',
      occurredAt: s.occurred_at.toISOString(),
    };
    if (!s.test_id)
      add(
        'art. 10',
        row(
          'art. 10',
          CascadeFindingCode.CASCADE_SOURCE_WITHOUT_TEST_RECORD,
          'an assembled source has no residual-capacity test record (GB/T 34015) by the firm',
          at,
        ),
      );
    else if (!s.application || !gradeAllows({ grade: s.grade!, applications: s.applications ?? [] }, s.application))
      add(
        'art. 10',
        row(
          'art. 10',
          CascadeFindingCode.CASCADE_SOURCE_GRADE_NOT_ALLOWING,
          `the source's latest test graded it ${s.grade}, which does not allow ${s.application ?? 'an unnamed application'}`,
          {
            ...at,
            testId: s.test_id,
            grade: s.grade,
            applications: s.applications ?? [],
            application: s.application,
          },
        ),
      );
  }

  // Art. 15: the product's label record, its required fields and the original codes retained and linked.
  const products = await db.query<ProductRow[]>(
    `SELECT e.id AS event_id, e.occurred_at, e.battery_codes AS event_codes, e.payload->>'cascadeCode' AS cascade_code, p.code AS product,
            p.nominal_capacity_ah, p.nominal_voltage_v, p.firm_name, p.firm_address, p.place_of_origin, p.gtin,
            (SELECT array_agg(x.source_code ORDER BY x.position) FROM cascade_product_sources x WHERE x.cascade_code = p.code) AS sources
       FROM lifecycle_events e LEFT JOIN cascade_products p ON p.code = e.payload->>'cascadeCode'
      WHERE e.id = ANY($1::uuid[])
      ORDER BY e.occurred_at, e.id`,
    [assembled],
  );
  for (const p of products) {
    const at = { batteryCode: p.cascade_code, eventId: p.event_id, type: 'cascade_assembled', occurredAt: p.occurred_at.toISOString() };
    if (!p.product) {
      add(
        'art. 15',
        row('art. 15', CascadeFindingCode.CASCADE_PRODUCT_WITHOUT_LABEL_RECORD, 'a cascade product assembled without a product record: no label data', at),
      );
      continue;
    }
    const linked = p.sources ?? [];
    const missing = missingLabelFields({
      nominalCapacityAh: p.nominal_capacity_ah,
      nominalVoltageV: p.nominal_voltage_v,
      firmName: p.firm_name,
      firmAddress: p.firm_address,
      placeOfOrigin: p.place_of_origin,
      traceCode: p.product,
      originalCodes: linked,
      gtin: p.gtin,
    });
    if (missing.length > 0)
      add(
        'art. 15',
        row('art. 15', CascadeFindingCode.CASCADE_PRODUCT_LABEL_INCOMPLETE, `the product's label lacks ${missing.join(', ')}`, { ...at, missing }),
      );
    const unlinked = p.event_codes.filter((c) => !linked.includes(c));
    if (linked.length > 0 && unlinked.length > 0)
      add(
        'art. 15',
        row('art. 15', CascadeFindingCode.CASCADE_ORIGINAL_CODES_NOT_LINKED, 'original codes of the assembly are not linked to the product', {
          ...at,
          unlinked,
        }),
      );
  }

  // Art. 19: outlets matched to where the firm's products went (its cascade_shipped events), as #libs/outlets counts it.
  const notAssessed: NotAssessed[] = [
    {
      article: '19',
      check: 'publication of the outlets on the firm’s own website',
      reason: 'the registry holds each outlet’s publication URL as declared; the website itself is not checked',
    },
  ];
  if (!firm.roles.includes('cascade_utiliser')) {
    notAssessed.unshift({
      article: '19',
      check: 'outlets for scrapped cascade products matched to sales regions',
      reason: 'the enterprise is not registered as a cascade utiliser: no outlet duty under art. 19 is known for it',
    });
  } else {
    const [duty] = await coverage.dutiesOf(firm.id, ['cascade_utiliser'], coverageOn);
    for (const gap of duty?.items.filter((i) => i.required && !i.covered) ?? [])
      add(
        'art. 19',
        row(
          'art. 19',
          CascadeFindingCode.CASCADE_OUTLET_COVERAGE_GAP,
          `products shipped into ${gap.regionName} (${gap.sales}) but no active outlet there on ${coverageOn}`,
          {
            regionKey: gap.regionKey,
            regionName: gap.regionName,
            sales: gap.sales,
            on: coverageOn,
            level: duty.level,
          },
        ),
      );
  }
  return { rows, counts, sources: sources.length, notAssessed };
}
