import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { checkSchedule, WorkingCalendar, YearSchedule } from '#libs/calendar';
import { Actor } from '#libs/common';
import { DataSource } from 'typeorm';
import { DeadlineEngine } from './domain/assess';
import { DEADLINE_RULE_SETS, DeadlineRuleSet } from './domain/deadline-rules';
import { ComplianceErrors } from './errors';

/**
 * The deadline tables in force (default: the shipped DEADLINE_RULE_SETS). A token so that a completed table can be
 * tried (and tested) without a code change; production uses the shipped data.
 */
export const DEADLINE_TABLES = Symbol('DEADLINE_TABLES');

/** How long another process's calendar change may take to reach this one. */
const REFRESH_MS = 60_000;

interface CalendarYearRow {
  year: number;
  revision: number;
  holidays: string[];
  workdays: string[];
  source: string;
  created_at: Date;
}

/**
 * The working-day calendar in memory (packaged years + the operators' years from `calendar_years`), and the
 * deadline engine built on it. Deadlines are judged on the ingest path without a query: the operators' years
 * are loaded at start-up and re-read in the background at most once a minute (another process may have added a
 * year), and at once in the process that took the change.
 */
@Injectable()
export class ComplianceCalendar implements OnModuleInit {
  private readonly log = new Logger('ComplianceCalendar');
  private readonly tables: readonly DeadlineRuleSet[];
  private current: DeadlineEngine;
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Optional() @Inject(DEADLINE_TABLES) tables?: readonly DeadlineRuleSet[],
  ) {
    this.tables = tables ?? DEADLINE_RULE_SETS;
    this.current = new DeadlineEngine(WorkingCalendar.withPackageData(), this.tables);
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** The engine to judge with now (starts a background re-read when the loaded years are old). */
  engine(): DeadlineEngine {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.reloading) {
      this.reloading = this.reload()
        .catch((error: Error) => this.log.warn(`could not re-read the calendar years: ${error.message}`))
        .finally(() => (this.reloading = null));
    }
    return this.current;
  }

  /** Re-reads the operators' years (the latest revision of each). */
  async reload(): Promise<void> {
    const rows = await this.dataSource.query<CalendarYearRow[]>(
      `SELECT DISTINCT ON (year) year, revision, holidays::text[] AS holidays, workdays::text[] AS workdays, source, created_at
         FROM calendar_years ORDER BY year, revision DESC`,
    );
    const extra: YearSchedule[] = rows.map((r) => ({
      year: r.year,
      holidays: r.holidays,
      workdays: r.workdays,
      source: `${r.source} (revision ${r.revision})`,
    }));
    this.current = new DeadlineEngine(WorkingCalendar.withPackageData(extra), this.tables);
    this.loadedAt = Date.now();
  }

  coverage(): { year: number; source: string }[] {
    return this.engine().calendar.coverage();
  }

  /** Adds (or revises) a year's official schedule: admin only, validated, audited, append-only. */
  async putYear(
    year: number,
    schedule: { holidays: string[]; workdays: string[]; source: string },
    actor: Actor,
  ): Promise<{ year: number; revision: number; source: string }> {
    requireAllowed(actor.principal, 'calendar.write');
    const problems = checkSchedule({ year, holidays: schedule.holidays, workdays: schedule.workdays });
    if (problems.length > 0) throw ComplianceErrors.invalidCalendarYear(year, problems);
    const holidays = [...schedule.holidays].sort();
    const workdays = [...schedule.workdays].sort();
    const revision = await this.dataSource.transaction(async (m) => {
      // One revision at a time per year: the advisory lock makes "latest + 1" safe under concurrent PUTs.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`calendar_years:${year}`]);
      const [{ next }] = await m.query<{ next: number }[]>('SELECT COALESCE(max(revision), 0) + 1 AS next FROM calendar_years WHERE year = $1', [year]);
      await m.query(
        'INSERT INTO calendar_years (year, revision, holidays, workdays, source, created_by_key_id) VALUES ($1, $2, $3::date[], $4::date[], $5, $6)',
        [year, next, holidays, workdays, schedule.source, actor.principal.keyId],
      );
      await this.audit.record(m, actor, {
        action: 'calendar.year_added',
        entityType: 'calendar_year',
        entityId: `${year}/${next}`,
        data: { year, revision: next, holidays, workdays, source: schedule.source },
      });
      return next;
    });
    await this.reload();
    return { year, revision, source: schedule.source };
  }
}
