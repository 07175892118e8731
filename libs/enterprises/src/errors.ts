import { DomainException } from '#libs/common';

export enum EnterpriseErrorCode {
  ENTERPRISE_NOT_FOUND = 'ENTERPRISE_NOT_FOUND',
  REGULATOR_NOT_FOUND = 'REGULATOR_NOT_FOUND',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  USCC_TAKEN = 'USCC_TAKEN',
  API_KEY_MISSING = 'API_KEY_MISSING',
  API_KEY_INVALID = 'API_KEY_INVALID',
  FIELD_NOT_EDITABLE = 'FIELD_NOT_EDITABLE',
}

export const EnterpriseErrors = {
  notFound: (id: string) => new DomainException(EnterpriseErrorCode.ENTERPRISE_NOT_FOUND, 'not_found', `No enterprise ${id}`, [], { id }),
  regulatorNotFound: (id: string) => new DomainException(EnterpriseErrorCode.REGULATOR_NOT_FOUND, 'not_found', `No regulator ${id}`, [], { id }),
  apiKeyNotFound: (id: string) => new DomainException(EnterpriseErrorCode.API_KEY_NOT_FOUND, 'not_found', `No API key ${id}`, [], { id }),
  usccTaken: (uscc: string) =>
    new DomainException(
      EnterpriseErrorCode.USCC_TAKEN,
      'conflict',
      `An enterprise with USCC ${uscc} is already registered`,
      [{ path: 'uscc', reason: 'already registered' }],
      { uscc },
    ),
  keyMissing: () => new DomainException(EnterpriseErrorCode.API_KEY_MISSING, 'unauthenticated', 'An API key is required: send `Authorization: Bearer <key>`'),
  keyInvalid: () => new DomainException(EnterpriseErrorCode.API_KEY_INVALID, 'unauthenticated', 'The API key is unknown or revoked'),
  fieldsNotEditable: (fields: string[]) =>
    new DomainException(
      EnterpriseErrorCode.FIELD_NOT_EDITABLE,
      'forbidden',
      `Only an administrator may change ${fields.join(', ')}`,
      fields.map((path) => ({ path, reason: 'only an administrator may change this field' })),
      { fields },
    ),
};
