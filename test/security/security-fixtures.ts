import { deflateRawSync, constants as zlib } from 'node:zlib';
import { format } from '#libs/battery-code';
import type { TestApp } from '../support/test-app';
import { bearer, randomUscc } from '../support/test-app';

/** One entry of a hand-made ZIP archive: its name and its raw-deflated bytes (or stored bytes). */
export interface ZipPart {
  name: string;
  data: Buffer;
  deflated: boolean;
  /** What the local header claims the entry inflates to (an attacker may lie; the reader must count). */
  declaredSize: number;
}

/** A ZIP archive (local headers, central directory, end record) of the given parts, in that order. CRCs are left 0. */
export function zipArchive(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(p.deflated ? 8 : 0, 8);
    local.writeUInt32LE(0, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(p.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, p.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(p.deflated ? 8 : 0, 10);
    central.writeUInt32LE(p.data.length, 20);
    central.writeUInt32LE(p.declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + p.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const deflated = (name: string, text: string): ZipPart => {
  const raw = Buffer.from(text, 'utf8');
  return { name, data: deflateRawSync(raw), deflated: true, declaredSize: raw.length };
};

/**
 * A raw deflate stream of `head`, then `unit` repeated `times` times, then `tail`, built in milliseconds: `unit` is
 * compressed once, ending in a full flush (byte-aligned, no back-references across it), and its bytes are repeated.
 */
export function repeatedDeflate(head: string, unit: string, times: number, tail: string): { data: Buffer; inflatedBytes: number } {
  const flush = { finishFlush: zlib.Z_FULL_FLUSH, level: 9 };
  const start = deflateRawSync(Buffer.from(head), flush);
  const block = deflateRawSync(Buffer.from(unit.repeat(Math.ceil((1024 * 1024) / unit.length))), flush);
  const perBlock = unit.length * Math.ceil((1024 * 1024) / unit.length);
  const end = deflateRawSync(Buffer.from(tail));
  const copies = Math.ceil((unit.length * times) / perBlock);
  return { data: Buffer.concat([start, ...Array.from({ length: copies }, () => block), end]), inflatedBytes: head.length + copies * perBlock + tail.length };
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/></sheets></workbook>';
const RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>';
const SHEET =
  '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
  '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>';

/**
 * An XLSX "bomb": a worksheet first (so exceljs would park it in a temporary file), then an `xl/sharedStrings.xml`
 * of about `inflatedMiB` MiB made of `stringLength`-character strings, whose header claims it inflates to 1 kB.
 */
export function xlsxBomb(inflatedMiB: number, stringLength = 1): { file: Buffer; inflatedBytes: number } {
  const unit = `<si><t>${'a'.repeat(stringLength)}</t></si>`;
  const strings = repeatedDeflate(
    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>type</t></si><si><t>batteryCodes</t></si>',
    unit,
    Math.ceil((inflatedMiB * 1024 * 1024) / unit.length),
    '</sst>',
  );
  const file = zipArchive([
    deflated('[Content_Types].xml', CONTENT_TYPES),
    deflated('xl/worksheets/sheet1.xml', SHEET),
    deflated('xl/workbook.xml', WORKBOOK),
    deflated('xl/_rels/workbook.xml.rels', RELS),
    { name: 'xl/sharedStrings.xml', data: strings.data, deflated: true, declaredSize: 1024 },
  ]);
  return { file, inflatedBytes: strings.inflatedBytes };
}

export interface Firm {
  id: string;
  uscc: string;
  key: string;
  keyId: string;
}

export async function firm(t: TestApp, roles: string[], regionCode = '350102'): Promise<Firm> {
  const admin = bearer(t.adminKey);
  const e = (
    await t
      .http()
      .post('/v1/enterprises')
      .set(admin)
      .send({ name: `Co ${roles.join('/')}`, uscc: randomUscc(), roles, regionCode })
      .expect(201)
  ).body;
  const k = (await t.http().post(`/v1/enterprises/${e.id}/api-keys`).set(admin).send({ name: 'erp' }).expect(201)).body;
  return { id: e.id as string, uscc: e.uscc as string, key: k.key as string, keyId: k.id as string };
}

export async function regulator(t: TestApp, regionPrefix?: string): Promise<{ id: string; key: string; keyId: string }> {
  const admin = bearer(t.adminKey);
  const r = await t
    .http()
    .post('/v1/regulators')
    .set(admin)
    .send({ name: '工信厅', ...(regionPrefix ? { regionPrefix } : {}) })
    .expect(201);
  const k = (await t.http().post(`/v1/regulators/${r.body.id}/api-keys`).set(admin).send({ name: 'audit' }).expect(201)).body;
  return { id: r.body.id as string, key: k.key as string, keyId: k.id as string };
}

export interface UploadState {
  id: string;
  status: string;
  attempts: number;
  error: { code: string; message: string; details: { path?: string; reason: string; limit?: number; heldPeakBytes?: number }[] } | null;
  counts: { accepted: number; duplicate: number; rejected: number };
  progress: { rowsProcessed: number; rowsTotal: number | null };
}

/** Polls an upload until it is completed or failed. */
export async function finished(t: TestApp, id: string, key: string, timeoutMs = 60_000): Promise<UploadState> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/v1/uploads/${id}`).set(bearer(key)).expect(200);
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as UploadState;
    if (Date.now() > until) throw new Error(`upload ${id} still ${res.body.status}: ${JSON.stringify(res.body.progress)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A valid GB/T 34014 pack code of manufacturer `mfr`, serial n. */
export function batteryCode(mfr: string, n: number): string {
  const r = format({
    manufacturerCode: mfr,
    productType: 'P',
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: '0000003',
    productionDate: '2025-03-12',
    serial: n,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}
