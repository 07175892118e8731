import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DecodedBatteryCode } from '#libs/battery-code';
import { APP_CONFIG, AppConfig, ErrorDetail } from '#libs/common';
import { PreparedStatement } from '#libs/database';
import { DataSource, EntityManager } from 'typeorm';
import { RegistrationIssueCode } from './errors';

/** What CodesService found about one battery code that an enterprise wants to register. */
export interface RegistrationCheck {
  /** Reasons to refuse the registration (empty: it may be registered). */
  errors: ErrorDetail[];
  /** Findings to report with an accepted registration. */
  warnings: ErrorDetail[];
  /** The coding rule in force for the code's specification code on its production date, if any. */
  codingRuleId: string | null;
}

export interface RegistrationCheckOptions {
  /** The field path of code number `index` in the caller's request, for the details. Default: 'code'. */
  pathOf?: (index: number) => string;
  /** Run the look-ups in the caller's transaction. */
  manager?: EntityManager;
}

interface HolderRow {
  code: string;
  enterprise_id: string;
}

interface RuleRow {
  id: string;
  manufacturer_code: string;
  specification_code: string;
  version: number;
  valid_from: string;
  form: string;
  product_type: string | null;
  battery_type: string;
}

// Run for every registering batch: named prepared statements, so that each connection parses them once and
// PostgreSQL may keep a generic plan (parse and plan were about 0.3 ms each per batch on PostgreSQL 15's statement
// log; it keeps planning the manufacturer-code look-up, which it finds cheaper with a custom plan).
const MANUFACTURER_CODE_HOLDERS = new PreparedStatement<HolderRow>(
  'codes.manufacturer_code_holders',
  'SELECT m.code, m.enterprise_id FROM manufacturer_codes m WHERE m.code = ANY($1::bpchar[])',
);
const CODING_RULES_OF_PAIRS = new PreparedStatement<RuleRow>(
  'codes.coding_rules_of_pairs',
  `SELECT r.id, r.manufacturer_code, r.specification_code, r.version, r.valid_from::text AS valid_from,
          r.form, r.product_type, r.battery_type
     FROM coding_rules r
     JOIN unnest($1::bpchar[], $2::bpchar[]) AS p (mc, sc) ON r.manufacturer_code = p.mc AND r.specification_code = p.sc
    ORDER BY r.valid_from DESC, r.version DESC`,
);

/**
 * The facts about codes that other modules need, foremost the battery registry's check of a code
 * against manufacturer-code assignments and coding-rule filings:
 *
 * - manufacturer code (positions 1–3) assigned to **another** enterprise: an error (GB/T 34014; the
 *   2018 溯源规定 art. 6: a firm codes only its own products);
 * - manufacturer code assigned to **nobody** here: an error, or a warning by configuration
 *   (`UNASSIGNED_MANUFACTURER_CODE`, default reject: a code registered before its holder is recorded would stay
 *   another firm's);
 * - no coding rule for the specification code in force on the production date: a warning or an error
 *   by configuration (`UNFILED_SPEC_CODE`, AppConfig.unfiledSpecificationCode, default warn); an
 *   unassigned manufacturer code has no filings, so this is reported for it too;
 * - the code contradicts the rule in force (battery type, product type or form): a warning.
 *
 * A manufacturer code of another enterprise is not checked further.
 */
@Injectable()
export class CodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async checkBatteryRegistration(enterpriseId: string, code: DecodedBatteryCode, options: RegistrationCheckOptions = {}): Promise<RegistrationCheck> {
    const [result] = await this.checkBatteryRegistrations(enterpriseId, [code], options);
    return result;
  }

  /**
   * The batch form, for registrations of thousands of batteries: at most two queries whatever the number
   * of codes (one for the manufacturer codes, one for the filings of the enterprise's own specification
   * codes). Results are in the order of `codes`.
   */
  async checkBatteryRegistrations(
    enterpriseId: string,
    codes: readonly DecodedBatteryCode[],
    options: RegistrationCheckOptions = {},
  ): Promise<RegistrationCheck[]> {
    if (codes.length === 0) return [];
    const db = options.manager ?? this.dataSource.manager;
    const pathOf = options.pathOf ?? (() => 'code');

    const manufacturerCodes = [...new Set(codes.map((c) => c.manufacturerCode))];
    const holderRows = await MANUFACTURER_CODE_HOLDERS.runIn(db, [manufacturerCodes]);
    const holders = new Map(holderRows.map((r) => [r.code, r]));

    const pairs = new Map<string, [string, string]>();
    for (const c of codes) {
      if (holders.get(c.manufacturerCode)?.enterprise_id === enterpriseId) {
        pairs.set(c.manufacturerCode + c.specificationCode, [c.manufacturerCode, c.specificationCode]);
      }
    }
    // Every version of each filed (manufacturer, specification) pair, newest in force first.
    const rulesByPair = new Map<string, RuleRow[]>();
    if (pairs.size > 0) {
      const list = [...pairs.values()];
      const ruleRows = await CODING_RULES_OF_PAIRS.runIn(db, [list.map((p) => p[0]), list.map((p) => p[1])]);
      for (const r of ruleRows) {
        const key = r.manufacturer_code + r.specification_code;
        const group = rulesByPair.get(key);
        if (group) group.push(r);
        else rulesByPair.set(key, [r]);
      }
    }

    return codes.map((c, index) => {
      const path = pathOf(index);
      const check: RegistrationCheck = { errors: [], warnings: [], codingRuleId: null };
      const holder = holders.get(c.manufacturerCode);
      if (holder && holder.enterprise_id !== enterpriseId) {
        check.errors.push({
          path,
          code: RegistrationIssueCode.MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE,
          // Not which one: who holds a manufacturer code is for administrators and regulators (README, "Who may do what").
          reason: `manufacturer code ${c.manufacturerCode} (positions 1-3) is assigned to another enterprise`,
          manufacturerCode: c.manufacturerCode,
        });
        return check;
      }
      if (!holder) {
        const unassigned = {
          path,
          code: RegistrationIssueCode.MANUFACTURER_CODE_UNASSIGNED,
          reason: `manufacturer code ${c.manufacturerCode} (positions 1-3) is not assigned to any enterprise`,
          manufacturerCode: c.manufacturerCode,
        };
        // Refused by default: a firm registering codes of a manufacturer code nobody holds yet would stay their
        // producer when the code is assigned to its real holder (issue 13). Not checked further, as another's code.
        if (this.config.unassignedManufacturerCode === 'reject') {
          check.errors.push({
            ...unassigned,
            reason: `${unassigned.reason}: have it assigned to you (POST /v1/manufacturer-codes, administrators) before registering its codes`,
          });
          return check;
        }
        check.warnings.push(unassigned);
      }
      const versions = rulesByPair.get(c.manufacturerCode + c.specificationCode) ?? [];
      const rule = versions.find((r) => r.valid_from <= c.productionDate);
      if (!rule) {
        const earliest = versions.length > 0 ? versions.reduce((a, b) => (b.valid_from < a.valid_from ? b : a)).valid_from : null;
        const detail: ErrorDetail = {
          path,
          code: RegistrationIssueCode.SPECIFICATION_CODE_UNFILED,
          reason:
            `no coding rule for specification code ${c.specificationCode} (positions 6-7) of manufacturer code ${c.manufacturerCode} ` +
            `is in force on the production date ${c.productionDate}` +
            (earliest ? ` (the earliest filing is valid from ${earliest})` : ' (none has been filed)'),
          manufacturerCode: c.manufacturerCode,
          specificationCode: c.specificationCode,
          productionDate: c.productionDate,
        };
        (this.config.unfiledSpecificationCode === 'reject' ? check.errors : check.warnings).push(detail);
        return check;
      }
      check.codingRuleId = rule.id;
      const rule_ = `the coding rule filed for specification code ${c.specificationCode} (version ${rule.version}, valid from ${rule.valid_from})`;
      const mismatch = (field: string, found: string, filed: string, what: string) =>
        check.warnings.push({
          path,
          code: RegistrationIssueCode.CODING_RULE_MISMATCH,
          reason: `${what} '${found}' differs from ${rule_}: '${filed}'`,
          field,
          found,
          filed,
          codingRuleId: rule.id,
        });
      if (rule.battery_type !== c.batteryType.letter) mismatch('batteryType', c.batteryType.letter, rule.battery_type, 'battery type (position 5)');
      if (rule.product_type !== null && rule.product_type !== c.productType.symbol) {
        mismatch('productType', c.productType.symbol, rule.product_type, 'product type (position 4)');
      }
      if (rule.form !== c.form) mismatch('form', c.form, rule.form, 'code form');
      return check;
    });
  }
}
