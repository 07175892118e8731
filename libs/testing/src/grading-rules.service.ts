import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor } from '#libs/common';
import { DataSource, EntityManager } from 'typeorm';
import { checkRules, DEFAULT_GRADING_RULE_SET, GradingRules, GradingRuleSet } from './domain/grading';
import type { CreateGradingRuleSetDto, GradingRuleSetView } from './dto';
import { TestingErrors } from './errors';

interface RuleSetRow {
  version: number;
  rules: GradingRules;
  notes: string;
  created_at: Date;
}

/**
 * The grading rule sets: version 1 is built in (DEFAULT_GRADING_RULE_SET); administrators add versions 2, 3, …
 * (append-only, audited). New tests are graded by the highest version; each test names the version it got.
 */
@Injectable()
export class GradingRulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Versions read so far. A version's rules never change (the table is append-only: a trigger refuses updates
   * and deletes), so only which version is current has to be read per batch, not its rules.
   */
  private readonly versions = new Map<number, GradingRuleSet>([[DEFAULT_GRADING_RULE_SET.version, DEFAULT_GRADING_RULE_SET]]);

  async current(db: EntityManager = this.dataSource.manager): Promise<GradingRuleSet> {
    const [row] = await db.query<{ version: number | null }[]>('SELECT max(version) AS version FROM residual_grading_rule_sets');
    return this.version(db, row.version);
  }

  /** The rule set of a version that `db` sees (null: none added, the built-in version 1). */
  async version(db: EntityManager, version: number | null): Promise<GradingRuleSet> {
    const known = this.versions.get(version ?? DEFAULT_GRADING_RULE_SET.version);
    if (known) return known;
    const [row] = await db.query<RuleSetRow[]>('SELECT version, rules, notes, created_at FROM residual_grading_rule_sets WHERE version = $1', [version]);
    if (!row) throw new Error(`grading rule set version ${version} does not exist`);
    const set = { version: row.version, rules: row.rules, basis: row.notes };
    this.versions.set(set.version, set);
    return set;
  }

  async list(): Promise<GradingRuleSetView[]> {
    const rows = await this.dataSource.query<RuleSetRow[]>('SELECT version, rules, notes, created_at FROM residual_grading_rule_sets ORDER BY version DESC');
    const top = rows[0]?.version ?? 1;
    return [
      ...rows.map((r) => ({ version: r.version, basis: r.notes, rules: r.rules, createdAt: r.created_at.toISOString(), current: r.version === top })),
      { ...DEFAULT_GRADING_RULE_SET, createdAt: null, current: top === 1 },
    ];
  }

  async create(dto: CreateGradingRuleSetDto, actor: Actor): Promise<GradingRuleSetView> {
    requireAllowed(actor.principal, 'grading_rules.write');
    const rules: GradingRules = JSON.parse(JSON.stringify(dto.rules)) as GradingRules;
    const problems = checkRules(rules);
    if (problems.length > 0) throw TestingErrors.invalidRules(problems);
    return this.dataSource.transaction(async (manager) => {
      // Serialises concurrent versions: the next number is read under a transaction-level lock.
      await manager.query("SELECT pg_advisory_xact_lock(hashtext('residual_grading_rule_sets'))");
      const [row] = await manager.query<RuleSetRow[]>(
        `INSERT INTO residual_grading_rule_sets (version, rules, notes, created_by_key_id)
         SELECT coalesce(max(version), 1) + 1, $1::jsonb, $2, $3 FROM residual_grading_rule_sets
         RETURNING version, rules, notes, created_at`,
        [JSON.stringify(rules), dto.basis, actor.principal.keyId],
      );
      await this.audit.record(manager, actor, {
        action: 'residual_grading_rules.created',
        entityType: 'residual_grading_rule_set',
        entityId: String(row.version),
        data: { rules, basis: dto.basis },
      });
      return { version: row.version, basis: row.notes, rules: row.rules, createdAt: row.created_at.toISOString(), current: true };
    });
  }
}
