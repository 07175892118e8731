import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { requireActingEnterprise } from '#libs/access';
import { Actor, ErrorDetail } from '#libs/common';
import { MAX_EVENTS_PER_BATCH } from './domain/event-types';
import { LedgerRule } from './domain/rules';
import type { RegisterBatteriesDto, RegisteredBatteryView, RegisterPartDto, RegistrationView } from './dto';
import { LedgerErrors } from './errors';
import { LedgerService } from './ledger.service';

interface Flat {
  path: string;
  code: string;
  event: Record<string, unknown>;
}

/**
 * POST /v1/batteries: registering a battery is recording its `produced` event, so a pack with its modules
 * and cells becomes one atomic batch of `produced` events (parents first, each part naming its parent) and
 * goes through the same ledger code path as POST /v1/events.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly ledger: LedgerService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async register(dto: RegisterBatteriesDto, dryRun: boolean, actor: Actor): Promise<RegistrationView> {
    const firm = requireActingEnterprise(actor.principal, 'ledger.write');
    const now = new Date().toISOString();
    // A battery registered without a region was produced where the enterprise is registered (the DTO's default):
    // its events carry that region, as an explicit one would be.
    const home = dto.batteries.some((b) => b.regionCode === undefined) ? await this.registeredRegion(firm.enterpriseId) : null;
    const flat: Flat[] = [];
    dto.batteries.forEach((b, i) => {
      const occurredAt = b.producedAt ?? now;
      const walk = (part: RegisterPartDto, path: string, parentCode: string | null) => {
        const payload: Record<string, unknown> = { nominalCapacityAh: part.nominalCapacityAh, nominalVoltageV: part.nominalVoltageV };
        if (part.ratedEnergyKwh !== undefined) payload.ratedEnergyKwh = part.ratedEnergyKwh;
        if (part.massKg !== undefined) payload.massKg = part.massKg;
        if (parentCode !== null) payload.parentCode = parentCode;
        const event: Record<string, unknown> = { type: 'produced', batteryCodes: [part.code], occurredAt, payload };
        const regionCode = b.regionCode ?? home;
        if (regionCode) event.regionCode = regionCode;
        flat.push({ path, code: part.code, event });
        (part.components ?? []).forEach((child, j) => walk(child, `${path}.components[${j}]`, part.code));
      };
      walk(b, `batteries[${i}]`, null);
    });
    if (flat.length > MAX_EVENTS_PER_BATCH) throw LedgerErrors.tooManyEvents(flat.length, MAX_EVENTS_PER_BATCH);

    const response = await this.ledger.ingest(
      flat.map((f) => f.event),
      { mode: 'atomic', dryRun, pathOf: (i) => flat[i].path, source: 'registration' },
      actor,
    );
    if (response.status === 'REJECTED') {
      const details: ErrorDetail[] = response.results.flatMap((r) =>
        (r.reasons ?? [])
          .filter((d) => d.rule !== LedgerRule.ATOMIC)
          .map((d) => ({ ...d, path: this.fieldPath(d.path ?? flat[r.index].path, flat[r.index].path) })),
      );
      if (details.length > 0 && details.every((d) => d.rule === LedgerRule.ALREADY_REGISTERED)) throw LedgerErrors.alreadyRegistered(details);
      throw LedgerErrors.registrationRejected(details);
    }
    const batteries: RegisteredBatteryView[] = response.results.map((r) => ({
      code: flat[r.index].code,
      path: flat[r.index].path,
      status: r.status,
      ...(r.eventId ? { eventId: r.eventId } : {}),
      ...(r.warnings ? { warnings: r.warnings.map((w) => ({ ...w, path: this.fieldPath(w.path ?? flat[r.index].path, flat[r.index].path) })) } : {}),
    }));
    return { status: response.status, dryRun, counts: response.counts, batteries };
  }

  private async registeredRegion(enterpriseId: string): Promise<string | null> {
    const rows: { region_code: string | null }[] = await this.dataSource.query('SELECT region_code FROM enterprises WHERE id = $1', [enterpriseId]);
    return rows[0]?.region_code ?? null;
  }

  /** A ledger path (`batteries[0].components[1].payload.nominalCapacityAh`) as the request's field path. */
  private fieldPath(path: string, base: string): string {
    if (!path.startsWith(base)) return path;
    const rest = path.slice(base.length);
    if (rest.startsWith('.batteryCodes')) return `${base}.code`;
    if (rest === '.payload.parentCode') return base;
    if (rest.startsWith('.payload.')) return `${base}.${rest.slice('.payload.'.length)}`;
    if (rest === '.occurredAt') return `${base.replace(/\.components\[\d+\]/g, '')}.producedAt`;
    if (rest === '.type') return base;
    return path;
  }
}
