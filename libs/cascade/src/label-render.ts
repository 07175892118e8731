import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { toBuffer, toSVG } from 'bwip-js';
import type { Font } from 'fontkit';
import { create as createFont } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { LabelField } from './domain/label';
import { LABEL_CAPTIONS_ZH } from './domain/label';
import type { LabelDocumentView } from './dto';

/**
 * The printable label of a cascade product (梯次利用管理办法 art. 15): the required fields with Chinese captions,
 * the GB/T 34014 code as Data Matrix (ISO/IEC 16022, one of the standard's carriers) and the GTIN as EAN-13
 * (13 digits) or GS1-128 (AI 01, other lengths). The PDF embeds a subset of Noto Sans SC (OFL, from the npm
 * package @expo-google-fonts/noto-sans-sc), so Chinese prints wherever the PDF is opened.
 */

const FONT_PATH = createRequire(__filename).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
/**
 * The parsed font, shared by every document: pdfkit parses a font given as bytes again for each document (80 ms for
 * this 10 MB TTF, measured), and takes a parsed fontkit font as it is (each document still embeds its own subset).
 */
let parsedFont: Font | null = null;
const font = () => (parsedFont ??= createFont(readFileSync(FONT_PATH)) as Font);

const TITLE = '梯次利用产品标识 Cascade-utilisation product label';
const ROWS: LabelField[] = ['traceCode', 'nominalCapacityAh', 'nominalVoltageV', 'firmName', 'firmAddress', 'placeOfOrigin', 'gtin'];
const UNITS: Partial<Record<LabelField, string>> = { nominalCapacityAh: ' Ah', nominalVoltageV: ' V' };

function value(doc: LabelDocumentView, field: LabelField): string {
  const v = doc.fields[field];
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return '—';
  return Array.isArray(v) ? v.join(', ') : `${v}${UNITS[field] ?? ''}`;
}

/** bwip-js options for the GTIN: EAN-13 when it has 13 digits, else GS1-128 with AI (01) and the GTIN-14. */
function gtinSymbol(gtin: string) {
  return gtin.length === 13 ? { bcid: 'ean13', text: gtin, includetext: true } : { bcid: 'gs1-128', text: `(01)${gtin.padStart(14, '0')}`, includetext: true };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderLabelSvg(doc: LabelDocumentView): Buffer {
  const width = 600;
  const lines: string[] = [];
  let y = 36;
  lines.push(`<text x="16" y="${y}" font-size="18" font-weight="bold">${esc(TITLE)}</text>`);
  y += 12;
  for (const f of ROWS) {
    y += 24;
    lines.push(`<text x="16" y="${y}" font-size="14"><tspan font-weight="bold">${esc(LABEL_CAPTIONS_ZH[f])}：</tspan>${esc(value(doc, f))}</text>`);
  }
  y += 28;
  lines.push(`<text x="16" y="${y}" font-size="14" font-weight="bold">${esc(LABEL_CAPTIONS_ZH.originalCodes)}：</text>`);
  for (const code of doc.fields.originalCodes) {
    y += 18;
    lines.push(`<text x="32" y="${y}" font-size="12" font-family="monospace">${esc(code)}</text>`);
  }
  const symbols: string[] = [];
  if (doc.fields.traceCode)
    symbols.push(
      nest(toSVG({ bcid: 'datamatrix', text: doc.fields.traceCode, scale: 4, paddingwidth: 2, paddingheight: 2, backgroundcolor: 'FFFFFF' }), 440, 60, 120),
    );
  if (doc.fields.gtin)
    symbols.push(
      nest(toSVG({ ...gtinSymbol(doc.fields.gtin), scale: 2, height: 12, paddingwidth: 6, paddingheight: 2, backgroundcolor: 'FFFFFF' }), 380, 200, 200),
    );
  const height = Math.max(y + 24, 300);
  const svg =
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="'Noto Sans SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff" stroke="#000"/>${lines.join('')}${symbols.join('')}</svg>\n`;
  return Buffer.from(svg, 'utf8');
}

/** Places a bwip-js SVG at (x, y), scaled to `w` wide. */
function nest(svg: string, x: number, y: number, w: number): string {
  const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  const [vw, vh] = m ? [Number(m[1]), Number(m[2])] : [w, w];
  const h = (w * vh) / vw;
  return svg.replace(/^<svg[^>]*>/, `<svg x="${x}" y="${y}" width="${w}" height="${h.toFixed(1)}" viewBox="0 0 ${vw} ${vh}">`);
}

export async function renderLabelPdf(doc: LabelDocumentView): Promise<Buffer> {
  const [matrix, barcode] = await Promise.all([
    doc.fields.traceCode
      ? toBuffer({ bcid: 'datamatrix', text: doc.fields.traceCode, scale: 4, paddingwidth: 2, paddingheight: 2, backgroundcolor: 'FFFFFF' })
      : null,
    doc.fields.gtin ? toBuffer({ ...gtinSymbol(doc.fields.gtin), scale: 2, height: 12, paddingwidth: 6, paddingheight: 2, backgroundcolor: 'FFFFFF' }) : null,
  ]);
  // A6 landscape (148 × 105 mm), a common label size.
  const pdf = new PDFDocument({ size: 'A6', layout: 'landscape', margin: 18, info: { Title: `${TITLE} ${doc.code}`, Producer: 'Echelon' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  // pdfkit takes a fontkit font (it checks for `layout`); its type definitions list only paths and bytes.
  pdf.registerFont('cjk', font() as unknown as string);
  pdf.font('cjk').fontSize(11).text(TITLE, 18, 16);
  let y = 36;
  pdf.fontSize(8);
  for (const f of ROWS) {
    pdf.text(`${LABEL_CAPTIONS_ZH[f]}：${value(doc, f)}`, 18, y, { width: 270 });
    y = pdf.y + 3;
  }
  pdf.text(`${LABEL_CAPTIONS_ZH.originalCodes}：`, 18, y, { width: 270 });
  pdf.fontSize(7).text(doc.fields.originalCodes.join('  ') || '—', 26, pdf.y + 1, { width: 262 });
  if (matrix) pdf.image(matrix, 310, 40, { width: 80 });
  if (barcode) pdf.image(barcode, 295, 150, { width: 110 });
  pdf.end();
  return done;
}
