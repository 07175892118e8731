import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import busboy from 'busboy';
import { UPLOAD_MEDIA_TYPES, UploadErrors } from './errors';

/** A file arriving in a request, before anything is stored. */
export interface IncomingUpload {
  filename: string | null;
  /** The body's bytes, with backpressure: the request is read only as fast as they are consumed. */
  chunks: AsyncIterable<Buffer>;
}

/** Media types taken as a CSV body: what spreadsheet programs and browsers send for .csv files. */
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel', 'text/plain']);
const XLSX_TYPES = new Set<string>([UPLOAD_MEDIA_TYPES.xlsx]);
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', '']);

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The format a name or media type claims; the stored file is sniffed again later, this only screens out other files. */
function acceptable(mime: string, filename: string | null): boolean {
  if (CSV_TYPES.has(mime) || XLSX_TYPES.has(mime)) return true;
  return GENERIC_TYPES.has(mime) && filename !== null && /\.(csv|xlsx)$/i.test(filename);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it strips
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Keeps a client's file name printable and short; it is only ever shown back. */
export function cleanFilename(name: string | undefined | null): string | null {
  if (!name) return null;
  const cleaned = basename(name.replace(/\\/g, '/')).replace(CONTROL_CHARACTERS, '').trim();
  return cleaned === '' ? null : cleaned.slice(0, 255);
}

/**
 * Reads the upload from a raw body (`text/csv`, the XLSX media type, or
 * `application/octet-stream` with `?filename=x.csv|x.xlsx`) or from the `file`
 * part of a `multipart/form-data` body. Throws before reading anything if the
 * media type or the declared length is unacceptable.
 */
export function openUpload(req: IncomingMessage, filenameParam: string | undefined, limitBytes: number): IncomingUpload {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw UploadErrors.tooLarge(limitBytes);
  const mime = mediaType(req.headers['content-type']);
  if (mime === 'multipart/form-data') return multipart(req, limitBytes);
  const filename = cleanFilename(filenameParam);
  if (!acceptable(mime, filename)) throw UploadErrors.unsupportedMediaType(req.headers['content-type']);
  return { filename, chunks: req };
}

function multipart(req: IncomingMessage, limitBytes: number): IncomingUpload {
  let parser: busboy.Busboy;
  try {
    // The byte limit is enforced by the consumer (it counts what it stores); +1 lets it see the overflow.
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 0, fileSize: limitBytes + 1 } });
  } catch (error) {
    throw UploadErrors.malformedMultipart((error as Error).message);
  }
  const upload: IncomingUpload = { filename: null, chunks: fileChunks() };

  async function* fileChunks(): AsyncGenerator<Buffer> {
    let failure: Error | null = null;
    let closed = false;
    let wake: (() => void) | null = null;
    let file: NodeJS.ReadableStream | null = null;
    const signal = () => {
      wake?.();
      wake = null;
    };
    const fail = (error: Error) => {
      failure ??= error;
      (file as unknown as { destroy?: (e: Error) => void } | null)?.destroy?.(failure);
      signal();
    };
    parser.on('file', (name, stream, info) => {
      if (file !== null || name !== 'file') {
        stream.resume();
        fail(UploadErrors.unexpectedPart(name));
        return;
      }
      const filename = cleanFilename(info.filename);
      if (!acceptable(mediaType(info.mimeType), filename)) {
        stream.resume();
        fail(UploadErrors.unsupportedFile(filename ?? undefined, info.mimeType));
        return;
      }
      upload.filename = filename;
      // Errors reach the consumer through its iteration; this keeps one raised while nobody iterates from being unhandled.
      stream.on('error', () => undefined);
      file = stream;
      signal();
    });
    parser.on('field', (name) => fail(UploadErrors.unexpectedPart(name)));
    parser.on('fieldsLimit', () => fail(UploadErrors.malformedMultipart("only one part, 'file', is accepted")));
    parser.on('filesLimit', () => fail(UploadErrors.malformedMultipart('only one file is accepted')));
    parser.on('error', (error: Error) => fail(UploadErrors.malformedMultipart(error.message)));
    parser.on('close', () => {
      closed = true;
      signal();
    });
    req.on('error', (error) => fail(error));
    req.pipe(parser);

    while (file === null && failure === null && !closed) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    if (file === null) throw UploadErrors.fileMissing();
    for await (const chunk of file as AsyncIterable<Buffer>) {
      if (failure) throw failure;
      yield chunk;
    }
    while (!closed && failure === null) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  }

  return upload;
}

/**
 * After an error response, the rest of a large body should not keep the server
 * busy: stop parsing, discard what still arrives and close the connection.
 */
export function abandonRequestBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.unpipe();
  req.resume();
}
