import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Actor } from '#libs/common';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AUDIT_WRITE_LOCK } from './audit-checkpoints';
import { AuditEntry } from './audit-entry.entity';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  data?: Record<string, unknown>;
}

/**
 * Writes the audit trail. Pass the EntityManager of the transaction that makes
 * the change, so the change and its audit row commit or fail together.
 */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  async record(manager: EntityManager, actor: Actor, ...records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Held until the transaction ends, so an audit checkpoint's cut never passes a row still being written.
    await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [AUDIT_WRITE_LOCK]);
    const p = actor.principal;
    await manager.getRepository(AuditEntry).insert(
      records.map((r) => ({
        actorKind: p.kind,
        actorKeyId: p.keyId,
        actorEnterpriseId: p.kind === 'enterprise' ? p.enterpriseId : null,
        actorRegulatorId: p.kind === 'regulator' ? p.regulatorId : null,
        requestId: actor.requestId,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        data: r.data ?? {},
      })) as QueryDeepPartialEntity<AuditEntry>[],
    );
  }

  /**
   * The same row as `record` writes, as an `INSERT INTO audit_log ...` statement for a caller that folds it
   * into a statement of its own (a data-modifying CTE) to save a round trip; `param` adds a query parameter
   * and returns its placeholder. The caller's statement must run in the transaction that makes the change.
   */
  insertStatement(actor: Actor, record: AuditRecord, param: (value: unknown) => string): string {
    const p = actor.principal;
    // The shared audit lock (see record) is taken in the same statement, before the row's id is drawn.
    return `INSERT INTO audit_log (actor_kind, actor_key_id, actor_enterprise_id, actor_regulator_id, request_id, action, entity_type, entity_id, data)
      SELECT ${param(p.kind)}, ${param(p.keyId)}::uuid, ${param(p.kind === 'enterprise' ? p.enterpriseId : null)}::uuid,
              ${param(p.kind === 'regulator' ? p.regulatorId : null)}::uuid, ${param(actor.requestId)}, ${param(record.action)}, ${param(record.entityType)},
              ${param(record.entityId)}, ${param(JSON.stringify(record.data ?? {}))}::jsonb
        FROM (SELECT pg_advisory_xact_lock_shared(${AUDIT_WRITE_LOCK})) AS audit_lock`;
  }

  /** Entries about one entity, oldest first (used by tests and future audit views). */
  forEntity(entityType: string, entityId: string): Promise<AuditEntry[]> {
    return this.entries.find({ where: { entityType, entityId }, order: { id: 'ASC' } });
  }
}
