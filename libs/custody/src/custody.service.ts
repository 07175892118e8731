import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enterpriseInRegionSql, type EnterprisePrincipal, readScope, requireActingEnterprise } from '#libs/access';
import { AuditService } from '#libs/audit';
import { BatteriesService } from '#libs/batteries';
import { Actor, cursorField, decodeCursor, Page, Principal, toPage } from '#libs/common';
import { LedgerService } from '#libs/lifecycle';
import { DataSource, EntityManager } from 'typeorm';
import type { ClaimStatus, CustodyClaimListQuery, CustodyClaimView, DisputeClaimDto } from './dto';
import { CustodyErrors } from './errors';

interface ClaimRow {
  id: string;
  type: string;
  battery_codes: string[];
  occurred_at: Date;
  claimed_at: Date;
  event: Record<string, unknown>;
  claimant_enterprise_id: string;
  claimant_key_id: string | null;
  claimant_name: string;
  claimant_uscc: string;
  sender_enterprise_id: string;
  sender_name: string;
  sender_uscc: string;
  decision: 'confirmed' | 'disputed' | null;
  decided_at: Date | null;
  reason: string | null;
  event_id: string | null;
}

const SELECT = `SELECT c.id, c.type, c.battery_codes, c.occurred_at, c.claimed_at, c.event, c.claimant_enterprise_id, c.claimant_key_id,
         ce.name AS claimant_name, ce.uscc AS claimant_uscc, c.sender_enterprise_id, se.name AS sender_name, se.uscc AS sender_uscc,
         d.decision, d.decided_at, d.reason, d.event_id
    FROM custody_claims c
    JOIN enterprises ce ON ce.id = c.claimant_enterprise_id
    JOIN enterprises se ON se.id = c.sender_enterprise_id
    LEFT JOIN custody_claim_decisions d ON d.claim_id = c.id`;

/**
 * Custody claims: a receipt reported by the receiver while no hand-over to it was pending is kept by the ledger as a
 * claim on the sender it names (libs/lifecycle, claimOf). The sender confirms it (the receipt is then recorded through
 * the ledger, so that the battery's hash chain has it, as uploaded when the claim was made) or disputes it. Claims
 * are seen by the claimant, the sender, regulators (within their region: the claimant's or the sender's, registered
 * there now or before) and admins.
 */
@Injectable()
export class CustodyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly ledger: LedgerService,
    private readonly batteries: BatteriesService,
  ) {}

  async list(query: CustodyClaimListQuery, principal: Principal): Promise<Page<CustodyClaimView>> {
    const params: unknown[] = [];
    const where = this.visibility(principal, params);
    const scope = readScope(principal);
    // `role` is the caller's own part in a claim: it means something to an enterprise only.
    if (query.role && scope.kind === 'enterprise') {
      params.push(scope.enterpriseId);
      where.push(query.role === 'claimant' ? `c.claimant_enterprise_id = $${params.length}` : `c.sender_enterprise_id = $${params.length}`);
    }
    if (query.status === 'pending') where.push('d.claim_id IS NULL');
    else if (query.status) {
      params.push(query.status);
      where.push(`d.decision = $${params.length}`);
    }
    const after = decodeCursor<{ id: string }>(query.cursor, { id: cursorField.uuid });
    if (after) {
      params.push(after.id);
      where.push(`c.id < $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows = await this.dataSource.query<ClaimRow[]>(
      `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, toView, (r) => ({ id: r.id }));
  }

  async get(id: string, principal: Principal): Promise<CustodyClaimView> {
    const row = await this.load(this.dataSource.manager, id, principal);
    if (!row) throw CustodyErrors.notFound(id);
    return toView(row);
  }

  /** The sender confirms: the receipt is recorded through the ledger (checked as a hand-over from the sender). */
  async confirm(id: string, actor: Actor): Promise<CustodyClaimView> {
    const principal = this.enterprise(actor);
    return this.dataSource.transaction(async (m) => {
      const claim = await this.decidable(m, id, principal);
      // The ledger's reasons tell about the batteries: the sender reads them only about batteries it may see.
      const visible = await this.batteries.visibleTo(m, principal.enterpriseId, claim.battery_codes);
      const unseen = claim.battery_codes.filter((code) => !visible.has(code));
      if (unseen.length > 0) {
        throw CustodyErrors.notApplicable(
          unseen.map((code) => ({ path: 'batteryCodes', reason: `battery ${code} is not registered, or not yours to hand over`, batteryCode: code })),
        );
      }
      const claimant: Actor = {
        principal: { kind: 'enterprise', enterpriseId: claim.claimant_enterprise_id, keyId: claim.claimant_key_id as string },
        requestId: actor.requestId,
      };
      const recorded = await this.ledger.ingest(
        [claim.event],
        { mode: 'atomic', dryRun: false, manager: m, confirmedSender: principal.enterpriseId, uploadedAt: claim.claimed_at, source: 'custody' },
        claimant,
      );
      const result = recorded.results[0];
      if (result.status === 'rejected' || !result.eventId) throw CustodyErrors.notApplicable(result.reasons ?? []);
      const decidedAt = new Date();
      await m.query(
        `INSERT INTO custody_claim_decisions (claim_id, decision, decided_by_enterprise_id, decided_by_key_id, event_id, decided_at) VALUES ($1, 'confirmed', $2, $3, $4, $5)`,
        [claim.id, principal.enterpriseId, principal.keyId, result.eventId, decidedAt],
      );
      await this.audit.record(m, actor, {
        action: 'custody.claim_confirmed',
        entityType: 'custody_claim',
        entityId: claim.id,
        data: { eventId: result.eventId },
      });
      return toView({ ...claim, decision: 'confirmed', decided_at: decidedAt, event_id: result.eventId });
    });
  }

  /** The sender disputes: nothing changes in the ledger; the claimant and regulators see the dispute. */
  async dispute(id: string, dto: DisputeClaimDto, actor: Actor): Promise<CustodyClaimView> {
    const principal = this.enterprise(actor);
    return this.dataSource.transaction(async (m) => {
      const claim = await this.decidable(m, id, principal);
      const decidedAt = new Date();
      const reason = dto.reason ?? null;
      await m.query(
        `INSERT INTO custody_claim_decisions (claim_id, decision, decided_by_enterprise_id, decided_by_key_id, reason, decided_at) VALUES ($1, 'disputed', $2, $3, $4, $5)`,
        [claim.id, principal.enterpriseId, principal.keyId, reason, decidedAt],
      );
      await this.audit.record(m, actor, { action: 'custody.claim_disputed', entityType: 'custody_claim', entityId: claim.id, data: { reason } });
      return toView({ ...claim, decision: 'disputed', decided_at: decidedAt, reason });
    });
  }

  private enterprise(actor: Actor): EnterprisePrincipal {
    return requireActingEnterprise(actor.principal, 'custody_claim.decide');
  }

  /** The claim, with its decision serialised, if the caller is its sender and it is undecided. */
  private async decidable(m: EntityManager, id: string, principal: EnterprisePrincipal): Promise<ClaimRow> {
    // One decision at a time per claim. An advisory lock, not FOR UPDATE: the claims are append-only, and the app's
    // database role has no UPDATE privilege on append-only tables (which FOR UPDATE needs).
    await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`custody_claim:${id}`]);
    const claim = await this.load(m, id, principal);
    if (!claim) throw CustodyErrors.notFound(id);
    if (claim.sender_enterprise_id !== principal.enterpriseId) throw CustodyErrors.notTheSender();
    if (claim.decision) throw CustodyErrors.decided(claim.decision, claim.decided_at!.toISOString());
    return claim;
  }

  private async load(m: EntityManager, id: string, principal: Principal): Promise<ClaimRow | null> {
    const params: unknown[] = [id];
    const where = ['c.id = $1', ...this.visibility(principal, params)];
    const rows = await m.query<ClaimRow[]>(`${SELECT} WHERE ${where.join(' AND ')}`, params);
    return rows[0] ?? null;
  }

  /**
   * Who sees a claim (read by the firm, either party): its claimant and sender; a regulator limited to a region, the
   * claims of which either party is or was registered there; admins and national regulators all.
   */
  private visibility(principal: Principal, params: unknown[]): string[] {
    const scope = readScope(principal);
    const param = (v: unknown) => `$${params.push(v)}`;
    if (scope.kind === 'enterprise') {
      const me = param(scope.enterpriseId);
      return [`(c.claimant_enterprise_id = ${me} OR c.sender_enterprise_id = ${me})`];
    }
    if (scope.kind === 'region') {
      return [
        `(${enterpriseInRegionSql('c.claimant_enterprise_id', scope.prefix, param)} OR ${enterpriseInRegionSql('c.sender_enterprise_id', scope.prefix, param)})`,
      ];
    }
    return [];
  }
}

function statusOf(r: ClaimRow): ClaimStatus {
  return r.decision ?? 'pending';
}

function toView(r: ClaimRow): CustodyClaimView {
  return {
    id: r.id,
    status: statusOf(r),
    type: r.type,
    batteryCodes: r.battery_codes,
    occurredAt: r.occurred_at.toISOString(),
    claimedAt: r.claimed_at.toISOString(),
    claimant: { id: r.claimant_enterprise_id, name: r.claimant_name, uscc: r.claimant_uscc },
    sender: { id: r.sender_enterprise_id, name: r.sender_name, uscc: r.sender_uscc },
    event: r.event,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    disputeReason: r.decision === 'disputed' ? r.reason : null,
    eventId: r.event_id,
  };
}
