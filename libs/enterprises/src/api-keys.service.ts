import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { allows, requireKindAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, Principal } from '#libs/common';
import { PreparedStatement } from '#libs/database';
import { DataSource, Repository } from 'typeorm';
import { ApiKey, ApiKeyOwnerKind } from './api-key.entity';
import type { CreatedApiKeyView } from './dto';
import { EnterpriseErrors } from './errors';
import { toApiKeyView } from './views';

const KEY_PREFIX = 'ech_';
/** last_used_at is a hint for key hygiene, not a log: write it at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

interface KeyRow {
  id: string;
  owner_kind: ApiKeyOwnerKind;
  enterprise_id: string | null;
  regulator_id: string | null;
  region_prefix: string | null;
  last_used_at: Date | null;
}

/** Run on every authenticated request. */
const KEY_BY_HASH = new PreparedStatement<KeyRow>(
  'enterprises.key_by_hash',
  `SELECT k.id, k.owner_kind, k.enterprise_id, k.regulator_id, r.region_prefix, k.last_used_at
     FROM api_keys k LEFT JOIN regulators r ON r.id = k.regulator_id
    WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
);

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Creates a key for an owner; the returned `key` is the only time the secret is seen. */
  async create(
    owner: { kind: 'admin' } | { kind: 'enterprise'; id: string } | { kind: 'regulator'; id: string },
    name: string,
    actor: Actor,
  ): Promise<CreatedApiKeyView> {
    // Keys are 256-bit random secrets, so a fast unsalted hash is enough to store them.
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(ApiKey).save(
        manager.getRepository(ApiKey).create({
          ownerKind: owner.kind,
          enterpriseId: owner.kind === 'enterprise' ? owner.id : null,
          regulatorId: owner.kind === 'regulator' ? owner.id : null,
          name,
          keyPrefix: key.slice(0, KEY_PREFIX.length + 8),
          keyHash: hashApiKey(key),
          createdByKeyId: actor.principal.keyId,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: row.id,
        data: { ownerKind: owner.kind, ownerId: 'id' in owner ? owner.id : null, name },
      });
      return { ...toApiKeyView(row), key };
    });
  }

  /** The principal a presented key stands for, or an unauthenticated error. */
  async authenticate(key: string): Promise<Principal> {
    if (!key.startsWith(KEY_PREFIX)) throw EnterpriseErrors.keyInvalid();
    const rows = await KEY_BY_HASH.run(this.dataSource, [hashApiKey(key)]);
    const row = rows[0];
    if (!row) throw EnterpriseErrors.keyInvalid();
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      this.dataSource
        .query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id])
        .catch((error: Error) => this.logger.warn(`could not record last use of key ${row.id}: ${error.message}`));
    }
    switch (row.owner_kind) {
      case 'admin':
        return { kind: 'admin', keyId: row.id };
      case 'regulator':
        return { kind: 'regulator', keyId: row.id, regulatorId: row.regulator_id!, regionPrefix: row.region_prefix };
      case 'enterprise':
        return { kind: 'enterprise', keyId: row.id, enterpriseId: row.enterprise_id! };
    }
  }

  /** Admins revoke any key; an enterprise revokes its own keys. Revoking twice is harmless. */
  async revoke(id: string, actor: Actor): Promise<void> {
    const p = actor.principal;
    // A regulator may revoke no key at all: it is told so before any look-up, so that its answer is the same for a
    // key that exists and one that does not (a 403 for one and a 404 for the other would tell keys apart).
    requireKindAllowed(p, 'api_key.manage');
    const key = await this.keys.findOneBy({ id });
    // Do not reveal other owners' keys: same answer as for a key that does not exist.
    if (!key || !allows(p, 'api_key.manage', key.enterpriseId ?? undefined)) throw EnterpriseErrors.apiKeyNotFound(id);
    if (key.revokedAt) return;
    await this.dataSource.transaction(async (manager) => {
      // The row lock waits for upload batches in flight under this key (they hold a share lock on it while they
      // record events), and revoked_at is the moment the lock is held: every event the key recorded precedes it,
      // and every later batch sees the key revoked (libs/uploads, upload-key-check.ts).
      await manager.query('SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE', [id]);
      await manager.getRepository(ApiKey).update({ id }, { revokedAt: () => 'clock_timestamp()' });
      await this.audit.record(manager, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: id });
    });
  }

  async listForEnterprise(enterpriseId: string) {
    const rows = await this.keys.find({ where: { enterpriseId }, order: { createdAt: 'ASC' } });
    return rows.map(toApiKeyView);
  }
}
