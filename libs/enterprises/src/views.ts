import type { ApiKey } from './api-key.entity';
import type { ApiKeyView, EnterpriseView, RegulatorView } from './dto';
import type { Enterprise } from './enterprise.entity';
import type { Regulator } from './regulator.entity';

export function toEnterpriseView(e: Enterprise): EnterpriseView {
  return {
    id: e.id,
    name: e.name,
    uscc: e.uscc,
    roles: e.roles,
    address: e.address,
    regionCode: e.regionCode,
    contact: { name: e.contactName, phone: e.contactPhone, email: e.contactEmail },
    whitelist: { status: e.whitelistStatus, version: e.whitelistVersion, batch: e.whitelistBatch },
    qmsCertificate: e.qmsCertificateNo ? { number: e.qmsCertificateNo, validUntil: e.qmsCertificateValidUntil } : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function toApiKeyView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    ownerKind: k.ownerKind,
    enterpriseId: k.enterpriseId,
    regulatorId: k.regulatorId,
    prefix: k.keyPrefix,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

export function toRegulatorView(r: Regulator): RegulatorView {
  return { id: r.id, name: r.name, regionPrefix: r.regionPrefix, createdAt: r.createdAt.toISOString() };
}
