import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { allows, readScope } from '#libs/access';
import { Actor, DomainException, ErrorDetail, flattenValidationErrors } from '#libs/common';
import { ColumnSpec, RowOutcome, UploadKind, UploadKinds, UploadKindsModule } from '#libs/uploads';
import type { EntityManager } from 'typeorm';
import { OUTLET_TYPES } from './domain/rules';
import { CreateOutletDto, PartnerRelation } from './dto';
import { OutletChecksModule } from './outlet-checks.module';
import { OutletsService } from './outlets.service';

export const OUTLETS_UPLOAD_KIND = 'outlets';

const COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'code',
    kind: 'string',
    cell: 'text',
    required: true,
    description: "The owner's own outlet code (unique per owner): the row's key; a code the owner already has is a duplicate, left unchanged",
    example: 'NET-35-001',
  },
  { name: 'name', kind: 'string', cell: 'text', required: true, description: 'Outlet name', example: '福州鼓楼回收服务网点' },
  { name: 'type', kind: 'enum', cell: 'text', required: true, enum: OUTLET_TYPES, description: 'collection (收集型) or centralised_storage (集中贮存型)' },
  { name: 'address', kind: 'string', cell: 'text', required: true, description: 'Address', example: '福建省福州市鼓楼区五四路1号' },
  { name: 'regionCode', kind: 'regionCode', cell: 'text', required: true, description: 'GB/T 2260 code (6 digits)', example: '350102' },
  { name: 'lat', kind: 'number', cell: 'number', required: false, description: 'WGS-84 latitude (with lng)', example: '26.0745' },
  { name: 'lng', kind: 'number', cell: 'number', required: false, description: 'WGS-84 longitude (with lat)', example: '119.2965' },
  { name: 'storageAreaM2', kind: 'number', cell: 'number', required: true, description: 'Storage area, m²', example: '20' },
  { name: 'capacityT', kind: 'number', cell: 'number', required: true, description: 'Storage capacity, t', example: '4' },
  { name: 'contactName', kind: 'string', cell: 'text', required: false, description: 'Contact person' },
  { name: 'contactPhone', kind: 'string', cell: 'text', required: false, description: 'Contact phone' },
  { name: 'contactEmail', kind: 'string', cell: 'text', required: false, description: 'Contact e-mail' },
  { name: 'openedOn', kind: 'date', cell: 'date', required: true, description: 'Opening date', example: '2025-06-01' },
  { name: 'publicationUrl', kind: 'string', cell: 'text', required: false, description: 'Where the owner publishes the outlet' },
  { name: 'coBuilderUsccs', kind: 'batteryCodes', cell: 'list', required: false, description: 'USCCs of co-builders (共建), separated by ; or ,' },
  { name: 'entrustedUsccs', kind: 'batteryCodes', cell: 'list', required: false, description: 'USCCs of entrusted partners (委托), separated by ; or ,' },
];

/**
 * Bulk outlet registration (`POST /v1/uploads?kind=outlets`, CSV or XLSX): each row goes through the same checks
 * and insert as `POST /v1/outlets`, for the uploading enterprise, in the batch's transaction. Rows are keyed by
 * the owner's outlet code, so a batch sent again by a retry comes out as duplicates.
 */
@Injectable()
export class OutletsUploadKind implements UploadKind, OnModuleInit {
  readonly kind = OUTLETS_UPLOAD_KIND;
  readonly description = 'Recycling service outlets (回收服务网点): one row per outlet, registered for the uploading enterprise';

  constructor(
    private readonly kinds: UploadKinds,
    private readonly outlets: OutletsService,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  columns(): readonly ColumnSpec[] {
    return COLUMNS;
  }

  async ingest(rows: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<RowOutcome[]> {
    // An upload registers outlets owned by the uploading enterprise (outlet.write on its own outlets).
    const scope = readScope(actor.principal);
    const firm = scope.kind === 'enterprise' && allows(actor.principal, 'outlet.write', scope.enterpriseId) ? scope.enterpriseId : null;
    if (firm === null) return rows.map(() => ({ status: 'rejected', reasons: [{ reason: 'outlets are uploaded by an enterprise key, for that enterprise' }] }));
    const usccs = [...new Set(rows.flatMap((r) => [...list(r.coBuilderUsccs), ...list(r.entrustedUsccs)]))];
    const byUscc = new Map(
      (await manager.query<{ id: string; uscc: string }[]>('SELECT id, uscc FROM enterprises WHERE uscc = ANY($1::text[])', [usccs])).map((e) => [
        e.uscc,
        e.id,
      ]),
    );
    const out: RowOutcome[] = [];
    for (const row of rows) {
      const reasons: ErrorDetail[] = [];
      const partners: { enterpriseId: string; relation: PartnerRelation }[] = [];
      for (const [column, relation] of [
        ['coBuilderUsccs', 'co_built'],
        ['entrustedUsccs', 'entrusted'],
      ] as const) {
        for (const uscc of list(row[column])) {
          const id = byUscc.get(uscc.toUpperCase());
          if (id) partners.push({ enterpriseId: id, relation });
          else reasons.push({ path: column, reason: `no enterprise with USCC ${uscc}` });
        }
      }
      const plain: Record<string, unknown> = {
        code: row.code,
        name: row.name,
        type: row.type,
        address: row.address,
        regionCode: row.regionCode,
        storageAreaM2: row.storageAreaM2,
        capacityT: row.capacityT,
        openedOn: row.openedOn,
      };
      if (row.lat !== undefined || row.lng !== undefined) plain.coordinates = { lat: row.lat, lng: row.lng };
      const contact = { name: row.contactName, phone: row.contactPhone, email: row.contactEmail };
      if (Object.values(contact).some((v) => v !== undefined)) plain.contact = Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== undefined));
      if (row.publicationUrl !== undefined) plain.publicationUrl = row.publicationUrl;
      if (partners.length) plain.partners = partners;
      const dto = plainToInstance(CreateOutletDto, plain);
      reasons.push(...flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true })).map(toColumn));
      if (reasons.length) {
        out.push({ status: 'rejected', reasons });
        continue;
      }
      const [existing] = await manager.query<{ id: string }[]>('SELECT id FROM outlets WHERE owner_enterprise_id = $1 AND code = $2', [firm, dto.code]);
      if (existing) {
        out.push({ status: 'duplicate', recordId: existing.id });
        continue;
      }
      try {
        out.push({ status: 'accepted', recordId: await this.outlets.register(manager, dto, firm, actor) });
      } catch (error) {
        if (!(error instanceof DomainException)) throw error;
        out.push({ status: 'rejected', reasons: error.details.length ? error.details.map(toColumn) : [{ reason: error.message }] });
      }
    }
    return out;
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Error paths of the DTO named by the sheet's columns (coordinates.lat is the lat column, contact.phone contactPhone). */
function toColumn(d: ErrorDetail): ErrorDetail {
  const path = d.path ?? '';
  const mapped = path.startsWith('coordinates.')
    ? path.slice('coordinates.'.length)
    : path.startsWith('contact.')
      ? `contact${path.charAt(8).toUpperCase()}${path.slice(9)}`
      : path.startsWith('partners')
        ? 'coBuilderUsccs'
        : path;
  return { ...d, path: mapped };
}

/** Registers the `outlets` upload kind; loaded by the API (OutletsModule) and the worker (libs/workers). */
@Module({
  imports: [UploadKindsModule, OutletChecksModule],
  providers: [OutletsService, OutletsUploadKind],
})
export class OutletUploadsModule {}
