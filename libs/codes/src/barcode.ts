import { toBuffer, toSVG } from 'bwip-js';

/** The data carriers GB/T 34014-2017 clause 5 names: Code 128 (GB/T 18347), QR (GB/T 18284), Data Matrix (ISO/IEC 16022). */
export const SYMBOLOGIES = ['code128', 'qrcode', 'datamatrix'] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];

export const BARCODE_FORMATS = ['svg', 'png'] as const;
export type BarcodeFormat = (typeof BARCODE_FORMATS)[number];

export const CONTENT_TYPES: Record<BarcodeFormat, string> = { svg: 'image/svg+xml', png: 'image/png' };

export interface RenderedBarcode {
  contentType: string;
  body: Buffer;
}

/**
 * Renders a (valid, normalised) battery code as a label barcode with bwip-js. Code 128 carries the
 * human-readable text under the bars, as labels print it; the 2-D symbols carry only the code.
 * `scale` is the size of one module (bar unit) in pixels for PNG, in user units for SVG.
 */
export async function renderBarcode(code: string, symbology: Symbology, format: BarcodeFormat, scale = 3): Promise<RenderedBarcode> {
  const options = {
    bcid: symbology,
    text: code,
    scale,
    ...(symbology === 'code128' ? { height: 12, includetext: true, textxalign: 'center' as const } : {}),
    // A quiet zone around the symbol, which scanners need.
    paddingwidth: symbology === 'code128' ? 10 : 2,
    paddingheight: 2,
    backgroundcolor: 'FFFFFF',
  };
  const body = format === 'svg' ? Buffer.from(toSVG(options), 'utf8') : await toBuffer(options);
  return { contentType: CONTENT_TYPES[format], body };
}
