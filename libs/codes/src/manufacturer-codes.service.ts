import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readScope, requireAllowed } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, Page, Principal, toPage, validationFailed } from '#libs/common';
import { Enterprise } from '#libs/enterprises';
import { todayInBeijing } from '#libs/identifiers';
import { DataSource } from 'typeorm';
import type { CreateManufacturerCodeDto, ManufacturerCodeListQuery, ManufacturerCodeView } from './dto';
import { CodesErrors } from './errors';
import { ManufacturerCode } from './manufacturer-code.entity';
import { ManufacturerCodeRow, toManufacturerCodeView } from './views';

const UNIQUE_VIOLATION = '23505';
/**
 * Roles that may hold a manufacturer code (中机函〔2018〕73号; 梯次利用管理办法 art. 12), and importers: they register
 * the batteries of the vehicles they import (a `produced` node of theirs), which is refused for a manufacturer code
 * not assigned to the registrant (UNASSIGNED_MANUFACTURER_CODE), so the foreign maker's code is recorded as theirs.
 */
export const MANUFACTURER_CODE_ROLES = ['battery_maker', 'cascade_utiliser', 'importer'] as const;

const SELECT_VIEW = `
  SELECT m.code, m.enterprise_id, e.name AS enterprise_name, m.certificate_date::text AS certificate_date,
         m.certificate_number, m.created_at
    FROM manufacturer_codes m JOIN enterprises e ON e.id = m.enterprise_id`;

/**
 * Manufacturer-code assignments. Only administrators record them (the codes are allocated outside this
 * system, by 中机中心); administrators and regulators read all of them (allocations are national, so a
 * regulator's region does not limit them); an enterprise reads its own.
 */
@Injectable()
export class ManufacturerCodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async assign(dto: CreateManufacturerCodeDto, actor: Actor): Promise<ManufacturerCodeView> {
    requireAllowed(actor.principal, 'manufacturer_code.assign');
    const enterprise = await this.dataSource.getRepository(Enterprise).findOneBy({ id: dto.enterpriseId });
    if (!enterprise) throw CodesErrors.unknownEnterprise(dto.enterpriseId);
    if (!enterprise.roles.some((r) => (MANUFACTURER_CODE_ROLES as readonly string[]).includes(r))) {
      throw CodesErrors.notEligible(enterprise.id, enterprise.roles);
    }
    if (dto.certificateDate > todayInBeijing()) {
      throw validationFailed([{ path: 'certificateDate', reason: `${dto.certificateDate} is in the future` }]);
    }
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(ManufacturerCode).insert({
          code: dto.code,
          enterpriseId: enterprise.id,
          certificateDate: dto.certificateDate,
          certificateNumber: dto.certificateNumber ?? null,
        });
        await this.audit.record(manager, actor, {
          action: 'manufacturer_code.assigned',
          entityType: 'manufacturer_code',
          entityId: dto.code,
          data: { ...dto },
        });
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        const holder = await this.holderOf(dto.code);
        throw CodesErrors.manufacturerCodeTaken(dto.code, holder ?? { id: 'unknown', name: 'another enterprise' });
      }
      throw error;
    }
    const [row] = await this.dataSource.query<ManufacturerCodeRow[]>(`${SELECT_VIEW} WHERE m.code = $1`, [dto.code]);
    return toManufacturerCodeView(row);
  }

  async list(query: ManufacturerCodeListQuery, principal: Principal): Promise<Page<ManufacturerCodeView>> {
    // Allocations are national (regulators read them all); an enterprise reads its own, with or without the filter.
    const scope = readScope(principal);
    const enterpriseId = query.enterpriseId ?? (scope.kind === 'enterprise' ? scope.enterpriseId : null);
    requireAllowed(principal, 'manufacturer_code.read', enterpriseId ?? undefined);
    const after = decodeCursor<{ code: string }>(query.cursor, { code: cursorField.matches(/^[0-9A-Z]{3}$/) });
    const rows = await this.dataSource.query<ManufacturerCodeRow[]>(
      `${SELECT_VIEW}
        WHERE ($1::uuid IS NULL OR m.enterprise_id = $1) AND ($2::bpchar IS NULL OR m.code > $2)
        ORDER BY m.code LIMIT $3`,
      [enterpriseId, after?.code ?? null, query.limit + 1],
    );
    return toPage(rows, query.limit, toManufacturerCodeView, (r) => ({ code: r.code }));
  }

  private async holderOf(code: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.dataSource.query<{ id: string; name: string }[]>(
      'SELECT e.id, e.name FROM manufacturer_codes m JOIN enterprises e ON e.id = m.enterprise_id WHERE m.code = $1',
      [code],
    );
    return row ?? null;
  }
}
