import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';

export enum UploadErrorCode {
  UPLOAD_NOT_FOUND = 'UPLOAD_NOT_FOUND',
  UPLOAD_TOO_LARGE = 'UPLOAD_TOO_LARGE',
  UPLOAD_UNSUPPORTED_MEDIA_TYPE = 'UPLOAD_UNSUPPORTED_MEDIA_TYPE',
  UPLOAD_MALFORMED_MULTIPART = 'UPLOAD_MALFORMED_MULTIPART',
  UPLOAD_FILE_MISSING = 'UPLOAD_FILE_MISSING',
  UPLOAD_FILE_EMPTY = 'UPLOAD_FILE_EMPTY',
  UPLOAD_ENTERPRISES_ONLY = 'UPLOAD_ENTERPRISES_ONLY',
  UPLOAD_ABORTED = 'UPLOAD_ABORTED',
  TEMPLATE_NOT_FOUND = 'TEMPLATE_NOT_FOUND',
  /** POST /v1/uploads?kind=: no such kind of upload is registered. */
  UNKNOWN_UPLOAD_KIND = 'UNKNOWN_UPLOAD_KIND',
}

/** Why a stored upload could not be processed at all (kept in `uploads.error`, shown by GET /v1/uploads/:id). */
export enum UploadFailureCode {
  FILE_UNREADABLE = 'FILE_UNREADABLE',
  /** A CSV file that is neither UTF-8 nor GB18030 (GBK). */
  UNSUPPORTED_TEXT_ENCODING = 'UNSUPPORTED_TEXT_ENCODING',
  NO_HEADER = 'NO_HEADER',
  UNKNOWN_COLUMNS = 'UNKNOWN_COLUMNS',
  DUPLICATE_COLUMNS = 'DUPLICATE_COLUMNS',
  MISSING_COLUMNS = 'MISSING_COLUMNS',
  PROCESSING_FAILED = 'PROCESSING_FAILED',
  /** An XLSX archive that inflates beyond the configured limits (a zip bomb, or far more than event data needs). */
  FILE_TOO_LARGE_WHEN_UNPACKED = 'FILE_TOO_LARGE_WHEN_UNPACKED',
  /** The API key that uploaded the file was revoked (or its enterprise lost the right to report) while it was processed. */
  UPLOAD_KEY_REVOKED = 'UPLOAD_KEY_REVOKED',
}

export const UPLOAD_MEDIA_TYPES = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const accepted = `multipart/form-data (field 'file'), ${UPLOAD_MEDIA_TYPES.csv} or ${UPLOAD_MEDIA_TYPES.xlsx}`;

export const UploadErrors = {
  notFound: (id: string) => new DomainException(UploadErrorCode.UPLOAD_NOT_FOUND, 'not_found', `No upload ${id}`, [], { id }),
  tooLarge: (limit: number) =>
    new DomainException(UploadErrorCode.UPLOAD_TOO_LARGE, 'too_large', `The file is larger than the upload limit of ${limit} bytes`, [
      { path: 'file', reason: `larger than ${limit} bytes`, limit },
    ]),
  unsupportedMediaType: (given: string | undefined) =>
    new DomainException(
      UploadErrorCode.UPLOAD_UNSUPPORTED_MEDIA_TYPE,
      'unsupported_media_type',
      `Content-Type '${given ?? '(none)'}' is not accepted: send ${accepted}`,
      [{ path: 'Content-Type', reason: `must be ${accepted}` }],
    ),
  unsupportedFile: (filename: string | undefined, mimeType: string) =>
    new DomainException(
      UploadErrorCode.UPLOAD_UNSUPPORTED_MEDIA_TYPE,
      'unsupported_media_type',
      `The file '${filename ?? '(unnamed)'}' (${mimeType}) is neither CSV nor XLSX`,
      [{ path: 'file', reason: 'must be a .csv or .xlsx file' }],
    ),
  malformedMultipart: (reason: string) =>
    new DomainException(UploadErrorCode.UPLOAD_MALFORMED_MULTIPART, 'invalid', `The multipart body could not be read: ${reason}`, [{ path: 'body', reason }]),
  unexpectedPart: (name: string) =>
    new DomainException(UploadErrorCode.UPLOAD_MALFORMED_MULTIPART, 'invalid', `Unexpected multipart field '${name}': only 'file' is accepted`, [
      { path: name, reason: "unknown field; only 'file' is accepted" },
    ]),
  fileMissing: () =>
    new DomainException(UploadErrorCode.UPLOAD_FILE_MISSING, 'invalid', "The multipart body has no 'file' part", [{ path: 'file', reason: 'required' }]),
  fileEmpty: () => new DomainException(UploadErrorCode.UPLOAD_FILE_EMPTY, 'invalid', 'The file is empty', [{ path: 'file', reason: 'is empty' }]),
  enterprisesOnly: () => new DomainException(UploadErrorCode.UPLOAD_ENTERPRISES_ONLY, 'forbidden', 'Only enterprise API keys may upload lifecycle events'),
  aborted: () => new DomainException(UploadErrorCode.UPLOAD_ABORTED, 'invalid', 'The client closed the connection before the file was complete'),
  unknownKind: (kind: string, known: readonly string[]) =>
    new DomainException(
      UploadErrorCode.UNKNOWN_UPLOAD_KIND,
      'invalid',
      `No upload kind '${kind}'`,
      [{ path: 'kind', reason: `must be one of ${known.join(', ')}` }],
      { kind },
    ),
  templateNotFound: (type: string, known: readonly string[]) =>
    new DomainException(UploadErrorCode.TEMPLATE_NOT_FOUND, 'not_found', `No template '${type}': use 'events' or one of ${known.join(', ')}`, [], { type }),
};

/** A reason the whole file cannot be processed; thrown by the readers, stored on the upload. */
export class UploadFailure extends Error {
  constructor(
    readonly code: UploadFailureCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'UploadFailure';
  }
}
