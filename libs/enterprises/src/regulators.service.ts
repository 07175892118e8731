import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, Principal } from '#libs/common';
import { DataSource, Repository } from 'typeorm';
import { ApiKeysService } from './api-keys.service';
import type { CreateRegulatorDto, MeView, RegulatorView } from './dto';
import { Enterprise } from './enterprise.entity';
import { EnterpriseErrors } from './errors';
import { Regulator } from './regulator.entity';
import { toEnterpriseView, toRegulatorView } from './views';

/** Regulator accounts (admin-managed) and the caller's own identity (`/v1/me`). */
@Injectable()
export class RegulatorsService {
  constructor(
    @InjectRepository(Regulator) private readonly regulators: Repository<Regulator>,
    @InjectRepository(Enterprise) private readonly enterprises: Repository<Enterprise>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async create(dto: CreateRegulatorDto, actor: Actor): Promise<RegulatorView> {
    requireAllowed(actor.principal, 'regulator.manage');
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Regulator);
      const saved = await repo.save(repo.create({ name: dto.name, regionPrefix: dto.regionPrefix ?? null }));
      await this.audit.record(manager, actor, { action: 'regulator.created', entityType: 'regulator', entityId: saved.id, data: { ...dto } });
      return toRegulatorView(saved);
    });
  }

  async list(principal: Principal): Promise<RegulatorView[]> {
    requireAllowed(principal, 'regulator.manage');
    return (await this.regulators.find({ order: { createdAt: 'ASC' } })).map(toRegulatorView);
  }

  async createApiKey(regulatorId: string, name: string, actor: Actor) {
    requireAllowed(actor.principal, 'regulator.manage');
    if (!(await this.regulators.existsBy({ id: regulatorId }))) throw EnterpriseErrors.regulatorNotFound(regulatorId);
    return this.apiKeys.create({ kind: 'regulator', id: regulatorId }, name, actor);
  }

  async me(principal: Principal): Promise<MeView> {
    const view: MeView = { kind: principal.kind, keyId: principal.keyId, enterprise: null, regulator: null };
    if (principal.kind === 'enterprise') {
      const e = await this.enterprises.findOneBy({ id: principal.enterpriseId });
      view.enterprise = e ? toEnterpriseView(e) : null;
    }
    if (principal.kind === 'regulator') {
      const r = await this.regulators.findOneBy({ id: principal.regulatorId });
      view.regulator = r ? toRegulatorView(r) : null;
    }
    return view;
  }
}
