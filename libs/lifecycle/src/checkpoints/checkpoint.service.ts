import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readScope, requireAllowed } from '#libs/access';
import { cursorField, decodeCursor, Page, Principal, toPage } from '#libs/common';
import { DataSource } from 'typeorm';
import { chainHeadLeaf, MerkleAccumulator } from './merkle';

export const CHECKPOINT_ALGORITHM = 'rfc6962-sha256/chain-heads-v1';
/**
 * Ingest holds this advisory lock in shared mode for the length of each write
 * transaction; a checkpoint takes it exclusively for an instant, so that every
 * link numbered up to its cut is committed when it reads the cut.
 */
export const LEDGER_WRITE_LOCK = 0x4c454447; // 'LEDG'
const PAGE = 5000;

export interface ChainHeadsDigest {
  root: string;
  batteryCount: number;
  linkCount: number;
  buckets: Record<string, { count: number; root: string }>;
}

export interface CheckpointView extends ChainHeadsDigest {
  id: string;
  createdAt: string;
  cutLedgerSeq: string;
  algorithm: string;
}

export interface LedgerVerification {
  ok: boolean;
  checkpoint: CheckpointView | null;
  recomputed: ChainHeadsDigest | null;
  /** Manufacturer-code buckets whose leaves differ from the checkpoint's: where to look. */
  mismatches: { bucket: string; expected: { count: number; root: string } | null; found: { count: number; root: string } | null }[];
  message: string;
}

interface CheckpointRow {
  id: string;
  created_at: Date;
  cut_ledger_seq: string;
  battery_count: number;
  link_count: string;
  root: Buffer;
  buckets: Record<string, { count: number; root: string }>;
  algorithm: string;
}

/**
 * Checkpoints over the whole ledger: the Merkle root of every battery's chain
 * head (code, seq, link hash) as of a cut in the ledger-wide link sequence.
 */
@Injectable()
export class CheckpointService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(): Promise<CheckpointView> {
    const cut = await this.cut();
    const digest = await this.digest(cut);
    const [row] = await this.dataSource.query(
      `INSERT INTO ledger_checkpoints (cut_ledger_seq, battery_count, link_count, root, buckets, algorithm)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [cut, digest.batteryCount, digest.linkCount, Buffer.from(digest.root, 'hex'), JSON.stringify(digest.buckets), CHECKPOINT_ALGORITHM],
    );
    return toView(row as CheckpointRow);
  }

  async list(principal: Principal, limit: number, cursor?: string): Promise<Page<CheckpointView>> {
    assertMayRead(principal);
    const after = decodeCursor<{ id: string }>(cursor, { id: cursorField.bigintText });
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT * FROM ledger_checkpoints WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
      [after?.id ?? null, limit + 1],
    );
    return toPage(
      rows,
      limit,
      (r) => withoutBucketsFor(principal, toView(r)),
      (r) => ({ id: String(r.id) }),
    );
  }

  /** Recomputes the latest checkpoint's root from the current data. */
  async verifyLatest(principal: Principal): Promise<LedgerVerification> {
    assertMayRead(principal);
    const [row] = (await this.dataSource.query('SELECT * FROM ledger_checkpoints ORDER BY id DESC LIMIT 1')) as CheckpointRow[];
    if (!row) return { ok: true, checkpoint: null, recomputed: null, mismatches: [], message: 'No checkpoint has been taken yet' };
    const checkpoint = toView(row);
    const recomputed = await this.digest(row.cut_ledger_seq);
    const mismatches: LedgerVerification['mismatches'] = [];
    for (const bucket of new Set([...Object.keys(checkpoint.buckets), ...Object.keys(recomputed.buckets)])) {
      const expected = checkpoint.buckets[bucket] ?? null;
      const found = recomputed.buckets[bucket] ?? null;
      if (expected?.root !== found?.root || expected?.count !== found?.count) mismatches.push({ bucket, expected, found });
    }
    const ok = recomputed.root === checkpoint.root && recomputed.batteryCount === checkpoint.batteryCount && recomputed.linkCount === checkpoint.linkCount;
    const message = ok
      ? `The ledger matches checkpoint ${checkpoint.id} (${checkpoint.batteryCount} chains, ${checkpoint.linkCount} links)`
      : `The ledger no longer matches checkpoint ${checkpoint.id}: ${checkpoint.batteryCount} chains and ${checkpoint.linkCount} links then, ` +
        `${recomputed.batteryCount} and ${recomputed.linkCount} now, up to the same cut` +
        (mismatches.length ? `; differing manufacturer codes: ${mismatches.map((m) => m.bucket).join(', ')}` : '');
    if (nationalDetail(principal)) return { ok, checkpoint, recomputed, mismatches, message };
    // A regulator limited to a region sees whether the ledger holds, in totals, not how many batteries each
    // manufacturer has nationally (nor which manufacturers' chains changed: an administrator locates those).
    const totals = ok ? message : message.replace(/; differing manufacturer codes: .*$/, '; an administrator can see which manufacturer codes differ');
    return { ok, checkpoint: withoutBucketsFor(principal, checkpoint), recomputed: withoutBucketsFor(principal, recomputed), mismatches: [], message: totals };
  }

  /**
   * The highest link sequence number below which every link is committed. Under the exclusive lock no batch is
   * writing, so every number the sequence has handed out belongs to a transaction that has ended (committed, or
   * rolled back and never to appear), and every link written later draws a higher one. Reading the sequence spares
   * ledger_seq an index that every link would pay for.
   */
  private async cut(): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_WRITE_LOCK]);
      // pg_sequence_last_value is NULL until the sequence has handed out a number.
      const [{ cut }] = await manager.query(
        `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('battery_event_chain', 'ledger_seq')::regclass), 0)::text AS cut`,
      );
      return cut as string;
    });
  }

  /** Streams every battery's head as of the cut (links are append-only, so this is repeatable). */
  private async digest(cut: string): Promise<ChainHeadsDigest> {
    const all = new MerkleAccumulator();
    const buckets: Record<string, { count: number; acc: MerkleAccumulator }> = {};
    let after = '';
    for (;;) {
      const rows: { battery_code: string; seq: number; link_hash: Buffer }[] = await this.dataSource.query(
        `SELECT DISTINCT ON (battery_code) battery_code, seq, link_hash
           FROM battery_event_chain
          WHERE ledger_seq <= $1 AND battery_code > $2
          ORDER BY battery_code, seq DESC
          LIMIT $3`,
        [cut, after, PAGE],
      );
      for (const r of rows) {
        const leaf = chainHeadLeaf(r.battery_code, r.seq, r.link_hash);
        all.push(leaf);
        const key = r.battery_code.slice(0, 3);
        (buckets[key] ??= { count: 0, acc: new MerkleAccumulator() }).acc.push(leaf);
        buckets[key].count++;
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].battery_code;
    }
    // The heads alone would not show a link deleted from the middle of a chain; the count does.
    const [{ links }] = await this.dataSource.query('SELECT count(*)::bigint AS links FROM battery_event_chain WHERE ledger_seq <= $1', [cut]);
    return {
      root: all.root().toString('hex'),
      batteryCount: all.leafCount,
      linkCount: Number(links),
      buckets: Object.fromEntries(Object.entries(buckets).map(([k, b]) => [k, { count: b.count, root: b.acc.root().toString('hex') }])),
    };
  }
}

/** Per-manufacturer counts are national figures: for those who read everything (administrators, regulators without a region limit). */
function nationalDetail(principal: Principal): boolean {
  return readScope(principal).kind === 'all';
}

function withoutBucketsFor<T extends { buckets: ChainHeadsDigest['buckets'] }>(principal: Principal, view: T): T {
  return nationalDetail(principal) ? view : { ...view, buckets: {} };
}

function assertMayRead(principal: Principal): void {
  requireAllowed(principal, 'checkpoint.read');
}

function toView(r: CheckpointRow): CheckpointView {
  return {
    id: String(r.id),
    createdAt: r.created_at.toISOString(),
    cutLedgerSeq: String(r.cut_ledger_seq),
    batteryCount: r.battery_count,
    linkCount: Number(r.link_count),
    root: r.root.toString('hex'),
    buckets: r.buckets,
    algorithm: r.algorithm,
  };
}
