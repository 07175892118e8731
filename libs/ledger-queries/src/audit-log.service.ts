import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enterprisesEverInRegionSql, type Param, readScope, requireAllowed } from '#libs/access';
import { cursorField, decodeCursor, type Page, type Principal, toPage } from '#libs/common';
import { StatementShapes } from '#libs/database';
import { DataSource } from 'typeorm';
import { csvStream, parseInstant } from './csv';
import type { AuditLogQuery } from './dto';
import { LedgerQueryErrors } from './errors';

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_kind: string;
  actor_key_id: string | null;
  actor_enterprise_id: string | null;
  actor_regulator_id: string | null;
  request_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  data: Record<string, unknown>;
  actor_name: string | null;
  actor_uscc: string | null;
}

export interface AuditEntryView {
  id: string;
  occurredAt: string;
  actor: { kind: string; keyId: string | null; enterprise: { id: string; name: string | null; uscc: string | null } | null; regulatorId: string | null };
  requestId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

/** The log's queries as named prepared statements per shape (see EventsQueryService), bounded. */
const SHAPES = new StatementShapes('audit_log.query', 32);

/**
 * Field names that could hold a secret. Nothing writes one to the audit log today (keys are stored only as hashes,
 * in api_keys); this is the second line: a future writer that records one does not publish it here.
 */
const SECRET_NAME = /(hash|secret|password|passwd|token|credential|^key$|apikey|privatekey)/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 16 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_NAME.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

/**
 * The audit log as read: admins all of it; an enterprise the entries written with its keys and those about its
 * record; a regulator limited to a region the same for the enterprises registered there (now or before), a
 * national regulator all. Newest first, by the log's own sequence.
 */
@Injectable()
export class AuditLogService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: AuditLogQuery, principal: Principal): Promise<Page<AuditEntryView>> {
    const { where, params } = await this.where(query, principal);
    const after = decodeCursor<{ id: string }>(query.cursor, { id: cursorField.bigintText });
    const rows = await this.page(where, params, query.limit + 1, after?.id ?? null);
    return toPage(rows, query.limit, toView, (r) => ({ id: String(r.id) }));
  }

  async csv(query: AuditLogQuery, principal: Principal): Promise<Readable> {
    const { where, params } = await this.where(query, principal);
    const page = (after: string | null) => this.page(where, params, 1000, after);
    return csvStream(
      [
        'id',
        'occurred_at',
        'actor_kind',
        'actor_key_id',
        'actor_enterprise_uscc',
        'actor_enterprise_name',
        'actor_regulator_id',
        'request_id',
        'action',
        'entity_type',
        'entity_id',
        'data',
      ],
      async function* () {
        let after: string | null = null;
        for (;;) {
          const rows = await page(after);
          for (const r of rows) {
            yield [
              String(r.id),
              r.occurred_at.toISOString(),
              r.actor_kind,
              r.actor_key_id,
              r.actor_uscc,
              r.actor_name,
              r.actor_regulator_id,
              r.request_id,
              r.action,
              r.entity_type,
              r.entity_id,
              JSON.stringify(redact(r.data)),
            ];
          }
          if (rows.length < 1000) return;
          after = String(rows[rows.length - 1].id);
        }
      },
    );
  }

  private async where(query: AuditLogQuery, principal: Principal): Promise<{ where: string[]; params: unknown[] }> {
    requireAllowed(principal, 'audit_log.read');
    const params: unknown[] = [];
    const param: Param = (v) => `$${params.push(v)}`;
    const where: string[] = [];
    // "Of an enterprise": written with its keys, or about its record.
    const ofEnterprises = (ids: string) =>
      `(a.actor_enterprise_id IN (${ids}) OR (a.entity_type = 'enterprise' AND a.entity_id IN (SELECT x::text FROM (${ids}) s(x))))`;
    const scope = readScope(principal);
    if (scope.kind === 'enterprise') where.push(ofEnterprises(`SELECT ${param(scope.enterpriseId)}::uuid`));
    if (scope.kind === 'region') where.push(ofEnterprises(enterprisesEverInRegionSql(scope.prefix, param)));
    if (query.enterprise) where.push(ofEnterprises(`SELECT ${param(await this.enterpriseId(query.enterprise))}::uuid`));
    if (query.actor)
      where.push(query.actor.length === 36 ? `a.actor_key_id = ${param(query.actor.toLowerCase())}::uuid` : `a.actor_kind = ${param(query.actor)}`);
    if (query.action) where.push(query.action.endsWith('.') ? `starts_with(a.action, ${param(query.action)})` : `a.action = ${param(query.action)}`);
    if (query.entity) {
      const [type, id] = query.entity.split(':');
      where.push(`a.entity_type = ${param(type)}`);
      if (id !== undefined) where.push(`a.entity_id = ${param(id)}`);
    }
    for (const [path, value, op] of [
      ['from', query.from, '>='],
      ['to', query.to, '<'],
    ] as const) {
      if (value === undefined) continue;
      const iso = parseInstant(value);
      if (iso === null) throw LedgerQueryErrors.invalidInstant(path, value);
      where.push(`a.occurred_at ${op} ${param(iso)}::timestamptz`);
    }
    if (query.requestId) where.push(`a.request_id = ${param(query.requestId)}`);
    return { where, params };
  }

  private page(where: string[], base: unknown[], limit: number, after: string | null): Promise<AuditRow[]> {
    const params = [...base];
    const param: Param = (v) => `$${params.push(v)}`;
    const all = [...where];
    if (after !== null) all.push(`a.id < ${param(after)}::bigint`);
    return SHAPES.runIn<AuditRow>(
      this.dataSource.manager,
      `SELECT a.id::text AS id, a.occurred_at, a.actor_kind, a.actor_key_id, a.actor_enterprise_id, a.actor_regulator_id, a.request_id, a.action,
              a.entity_type, a.entity_id, a.data, en.name AS actor_name, en.uscc AS actor_uscc
         FROM audit_log a LEFT JOIN enterprises en ON en.id = a.actor_enterprise_id
        ${all.length ? `WHERE ${all.join(' AND ')}` : ''}
        ORDER BY a.id DESC LIMIT ${param(limit)}`,
      params,
    );
  }

  private async enterpriseId(value: string): Promise<string> {
    const isUuid = value.length === 36;
    const [row] = await this.dataSource.query<{ id: string }[]>(
      isUuid ? 'SELECT id FROM enterprises WHERE id = $1' : 'SELECT id FROM enterprises WHERE uscc = $1',
      [isUuid ? value.toLowerCase() : value],
    );
    if (!row) throw LedgerQueryErrors.unknownEnterprise('enterprise', value);
    return row.id;
  }
}

function toView(r: AuditRow): AuditEntryView {
  return {
    id: String(r.id),
    occurredAt: r.occurred_at.toISOString(),
    actor: {
      kind: r.actor_kind,
      keyId: r.actor_key_id,
      enterprise: r.actor_enterprise_id === null ? null : { id: r.actor_enterprise_id, name: r.actor_name, uscc: r.actor_uscc },
      regulatorId: r.actor_regulator_id,
    },
    requestId: r.request_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    data: redact(r.data) as Record<string, unknown>,
  };
}
