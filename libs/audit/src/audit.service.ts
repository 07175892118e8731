import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Actor } from '#libs/common';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
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

  /** Entries about one entity, oldest first (used by tests and future audit views). */
  forEntity(entityType: string, entityId: string): Promise<AuditEntry[]> {
    return this.entries.find({ where: { entityType, entityId }, order: { id: 'ASC' } });
  }
}
