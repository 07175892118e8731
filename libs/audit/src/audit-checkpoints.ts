import { createHash } from 'node:crypto';
import { Controller, Get, HttpCode, Injectable, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { requireAllowed } from '#libs/access';
import { Actor, ApiErrors, CurrentActor, Principal } from '#libs/common';
import { DataSource } from 'typeorm';

/**
 * Every audit write holds this advisory lock in shared mode until its transaction ends (AuditService); a checkpoint
 * takes it exclusively for an instant to read its cut, so every audit id up to the cut is committed (or rolled back,
 * never to appear) when the rows are read.
 */
export const AUDIT_WRITE_LOCK = 0x41554454; // 'AUDT'
/** One checkpoint at a time: each extends the chain of the one before. */
const AUDIT_CHECKPOINT_LOCK = 0x41554443; // 'AUDC'
const PAGE = 5000;
const ZERO = Buffer.alloc(32);

/** One audit row's hash: SHA-256 of its columns as a JSON array (occurred_at in microseconds), computed by PostgreSQL. */
const ROW_HASHES = `
  SELECT id, sha256(convert_to(json_build_array(id::text, (extract(epoch FROM occurred_at) * 1000000)::bigint::text, actor_kind, actor_key_id,
                actor_enterprise_id, actor_regulator_id, request_id, action, entity_type, entity_id, data)::text, 'UTF8')) AS h
    FROM audit_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`;

export class AuditCheckpointView {
  @ApiProperty() id: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'Every audit row with an id up to this is covered' }) cutId: string;
  @ApiProperty({ description: 'Rows covered, from the first' }) rowCount: number;
  @ApiProperty({ description: 'hex SHA-256 chain over every covered row, in id order' }) chainHash: string;
}

export class AuditVerificationView {
  @ApiProperty() ok: boolean;
  @ApiProperty() checkpoints: number;
  @ApiPropertyOptional({ type: AuditCheckpointView, nullable: true, description: 'The first checkpoint the current rows no longer match' })
  firstMismatch: AuditCheckpointView | null;
  @ApiPropertyOptional({ nullable: true, description: 'The audit ids the mismatch lies between (after the previous checkpoint, up to this one)' })
  range: string | null;
  @ApiProperty() message: string;
}

interface CheckpointRow {
  id: string;
  created_at: Date;
  cut_id: string;
  row_count: string;
  chain_hash: Buffer;
}

/**
 * Checkpoints of the audit log: a SHA-256 chain over every row in id order, each checkpoint extending the previous
 * one's. The log is append-only for the app (triggers, and no UPDATE/DELETE privilege); the chain shows a change made
 * by a role that can go around both (an owner or a superuser): `verify` recomputes every checkpoint from the rows.
 * Taken with each ledger checkpoint (CHECKPOINT_EVERY_MINUTES) and on demand.
 */
@Injectable()
export class AuditCheckpointService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(): Promise<AuditCheckpointView> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHECKPOINT_LOCK]);
      const cut = await this.cut();
      const [prev] = (await manager.query('SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1')) as CheckpointRow[];
      const from = prev ? prev.cut_id : '0';
      const chained = await this.chain(prev ? prev.chain_hash : ZERO, from, cut);
      const [row] = (await manager.query('INSERT INTO audit_checkpoints (cut_id, row_count, chain_hash) VALUES ($1, $2, $3) RETURNING *', [
        cut,
        Number(prev?.row_count ?? 0) + chained.rows,
        chained.hash,
      ])) as CheckpointRow[];
      return toView(row);
    });
  }

  async verify(principal: Principal): Promise<AuditVerificationView> {
    requireAllowed(principal, 'audit_log.verify');
    const checkpoints = (await this.dataSource.query('SELECT * FROM audit_checkpoints ORDER BY id')) as CheckpointRow[];
    let hash: Buffer = ZERO;
    let count = 0;
    let from = '0';
    for (const cp of checkpoints) {
      const chained = await this.chain(hash, from, cp.cut_id);
      count += chained.rows;
      if (!chained.hash.equals(cp.chain_hash) || count !== Number(cp.row_count)) {
        const range = `${from} < id <= ${cp.cut_id}`;
        return {
          ok: false,
          checkpoints: checkpoints.length,
          firstMismatch: toView(cp),
          range,
          message: `The audit log no longer matches checkpoint ${cp.id}: rows with ${range} were changed, removed or added (${cp.row_count} rows then, ${count} now)`,
        };
      }
      hash = cp.chain_hash;
      from = cp.cut_id;
    }
    return {
      ok: true,
      checkpoints: checkpoints.length,
      firstMismatch: null,
      range: null,
      message:
        checkpoints.length === 0 ? 'No audit checkpoint has been taken yet' : `The audit log matches all ${checkpoints.length} checkpoints (${count} rows)`,
    };
  }

  /** The highest audit id below which every row is committed (see AUDIT_WRITE_LOCK). */
  private async cut(): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_WRITE_LOCK]);
      const [{ cut }] = await manager.query(`SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('audit_log', 'id')::regclass), 0)::text AS cut`);
      return cut as string;
    });
  }

  private async chain(start: Buffer, from: string, to: string): Promise<{ hash: Buffer; rows: number }> {
    let hash: Buffer = start;
    let rows = 0;
    let after = from;
    for (;;) {
      const page = (await this.dataSource.query(ROW_HASHES, [after, to, PAGE])) as { id: string; h: Buffer }[];
      for (const r of page) hash = createHash('sha256').update(hash).update(r.h).digest();
      rows += page.length;
      if (page.length < PAGE) return { hash, rows };
      after = page[page.length - 1].id;
    }
  }
}

function toView(r: CheckpointRow): AuditCheckpointView {
  return {
    id: String(r.id),
    createdAt: r.created_at.toISOString(),
    cutId: String(r.cut_id),
    rowCount: Number(r.row_count),
    chainHash: r.chain_hash.toString('hex'),
  };
}

@ApiTags('audit')
@ApiErrors(401, 403)
@Controller('v1/audit')
export class AuditCheckpointsController {
  constructor(private readonly checkpoints: AuditCheckpointService) {}

  @Post('checkpoints')
  @HttpCode(201)
  @ApiOperation({ summary: 'Take an audit-log checkpoint now (admin); one is also taken with every ledger checkpoint' })
  @ApiOkResponse({ type: AuditCheckpointView })
  take(@CurrentActor() actor: Actor): Promise<AuditCheckpointView> {
    requireAllowed(actor.principal, 'audit_checkpoint.create');
    return this.checkpoints.create();
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute every audit-log checkpoint from the rows and name the first that no longer matches (admins and regulators)' })
  @ApiOkResponse({ type: AuditVerificationView })
  verify(@CurrentActor() actor: Actor): Promise<AuditVerificationView> {
    return this.checkpoints.verify(actor.principal);
  }
}
