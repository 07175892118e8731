import { regionInfo } from '#libs/regions';
import type { OutletStatus, OutletType } from './domain/rules';
import type { InspectionView, OutletView, PartnerRelation, PublicOutletView, RegionView, StatusChangeView } from './dto';

/** One outlet as the registry's SELECT returns it. */
export interface OutletRow {
  id: string;
  owner_enterprise_id: string;
  owner_name: string;
  code: string | null;
  name: string;
  type: OutletType;
  address: string;
  region_code: string;
  region_code_submitted: string;
  lat: number | null;
  lng: number | null;
  storage_area_m2: string;
  capacity_t: string;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  opened_on: string;
  status: OutletStatus;
  status_since: string;
  publication_url: string | null;
  rule_set: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  partners: { enterpriseId: string; name: string; relation: PartnerRelation }[];
}

export const OUTLET_COLUMNS = `
  o.id, o.owner_enterprise_id, oe.name AS owner_name, o.code, o.name, o.type, o.address, o.region_code, o.region_code_submitted,
  o.lat, o.lng, o.storage_area_m2::text AS storage_area_m2, o.capacity_t::text AS capacity_t, o.contact_name, o.contact_phone,
  o.contact_email, o.opened_on::text AS opened_on, o.status, o.status_since::text AS status_since, o.publication_url, o.rule_set,
  o.version, o.created_at, o.updated_at,
  COALESCE((SELECT json_agg(json_build_object('enterpriseId', op.enterprise_id, 'name', pe.name, 'relation', op.relation) ORDER BY pe.name)
              FROM outlet_partners op JOIN enterprises pe ON pe.id = op.enterprise_id WHERE op.outlet_id = o.id), '[]') AS partners`;

export const OUTLET_FROM = 'outlets o JOIN enterprises oe ON oe.id = o.owner_enterprise_id';

export function regionView(code: string, submitted?: string): RegionView {
  const info = regionInfo(code);
  return {
    code,
    fullName: info?.fullName ?? code,
    provinceName: info?.provinceName ?? '',
    prefectureName: info?.prefectureName ?? null,
    ...(submitted && submitted !== code ? { submittedCode: submitted } : {}),
  };
}

const contactOf = (r: Pick<OutletRow, 'contact_name' | 'contact_phone' | 'contact_email'>) => ({
  ...(r.contact_name !== null ? { name: r.contact_name } : {}),
  ...(r.contact_phone !== null ? { phone: r.contact_phone } : {}),
  ...(r.contact_email !== null ? { email: r.contact_email } : {}),
});

export function toOutletView(r: OutletRow): OutletView {
  return {
    id: r.id,
    code: r.code,
    owner: { id: r.owner_enterprise_id, name: r.owner_name },
    partners: r.partners.map((p) => ({ id: p.enterpriseId, name: p.name, relation: p.relation })),
    name: r.name,
    type: r.type,
    address: r.address,
    region: regionView(r.region_code, r.region_code_submitted),
    coordinates: r.lat === null || r.lng === null ? null : { lat: r.lat, lng: r.lng },
    storageAreaM2: Number(r.storage_area_m2),
    capacityT: Number(r.capacity_t),
    contact: contactOf(r),
    openedOn: r.opened_on,
    status: r.status,
    statusSince: r.status_since,
    publicationUrl: r.publication_url,
    ruleSet: r.rule_set,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export interface PublicOutletRow {
  id: string;
  name: string;
  type: OutletType;
  owner_name: string;
  address: string;
  region_code: string;
  lat: number | null;
  lng: number | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  publication_url: string | null;
  distance_km?: number;
}

export function toPublicOutletView(r: PublicOutletRow): PublicOutletView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ownerName: r.owner_name,
    address: r.address,
    region: regionView(r.region_code),
    coordinates: r.lat === null || r.lng === null ? null : { lat: r.lat, lng: r.lng },
    contact: contactOf(r),
    publicationUrl: r.publication_url,
    ...(r.distance_km !== undefined ? { distanceKm: Math.round(r.distance_km * 1000) / 1000 } : {}),
  };
}

export interface StatusChangeRow {
  from_status: OutletStatus | null;
  to_status: OutletStatus;
  effective_on: string;
  reason: string;
  recorded_at: Date;
}

export const toStatusChangeView = (r: StatusChangeRow): StatusChangeView => ({
  from: r.from_status,
  to: r.to_status,
  effectiveOn: r.effective_on,
  reason: r.reason,
  recordedAt: new Date(r.recorded_at).toISOString(),
});

export interface InspectionRow {
  id: string;
  inspected_on: string;
  result: InspectionView['result'];
  inspector: string;
  findings: string | null;
  recorded_at: Date;
}

export const toInspectionView = (r: InspectionRow): InspectionView => ({
  id: r.id,
  inspectedOn: r.inspected_on,
  result: r.result,
  inspector: r.inspector,
  findings: r.findings,
  recordedAt: new Date(r.recorded_at).toISOString(),
});
