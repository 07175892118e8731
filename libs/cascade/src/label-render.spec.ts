import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderLabelPdf, renderLabelSvg } from './label-render';
import { LABEL_CAPTIONS_ZH } from './domain/label';

const label = {
  code: 'C01MB01G310000010RM',
  fields: {
    nominalCapacityAh: 110,
    nominalVoltageV: 87.6,
    firmName: '闽江梯次利用有限公司',
    firmAddress: '福州市鼓楼区工业路 1 号',
    placeOfOrigin: '福建省福州市鼓楼区',
    traceCode: 'C01MB01G310000010RM',
    originalCodes: ['001MB24A000001G1F0050068', '001MB24A000001G1F0050069'],
    gtin: '6901234567892',
  },
  missing: [],
  complete: true,
  captions: { ...LABEL_CAPTIONS_ZH },
  warrantyMonths: 36,
  certification: null,
};

describe('label rendering', () => {
  it('renders a one-page PDF with the CJK font embedded, and an SVG with both symbols', async () => {
    const pdf = await renderLabelPdf(label);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);
    const svg = renderLabelSvg(label).toString('utf8');
    expect(svg.match(/<svg x=/g)).toHaveLength(2);
    expect(svg).toContain('原动力蓄电池编码');
    // With LABEL_PNG_DIR set and pdftoppm installed, writes the page as a PNG to look at.
    const dir = process.env.LABEL_PNG_DIR;
    if (dir && existsSync('/usr/bin/pdftoppm')) {
      const tmp = mkdtempSync(join(tmpdir(), 'label-'));
      writeFileSync(join(tmp, 'label.pdf'), pdf);
      execFileSync('pdftoppm', ['-png', '-r', '150', '-singlefile', join(tmp, 'label.pdf'), join(dir, 'label')]);
      writeFileSync(join(dir, 'label.svg'), svg);
    }
  });
});
