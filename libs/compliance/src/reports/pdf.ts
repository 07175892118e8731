import PDFDocument from 'pdfkit';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { ReportView } from './dto';

/** Noto Sans SC (OFL, from the npm package @expo-google-fonts/noto-sans-sc): pdfkit embeds the glyphs used. */
const FONT = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
/** A PDF is for reading: past this many findings it says so and points to the CSV/XLSX, which have them all. */
export const PDF_MAX_FINDINGS = 2_000;

const STATUS_ZH: Record<string, string> = {
  on_time: '按时 on time',
  late: '迟报 late',
  pending: '待定（日历未覆盖） pending',
  no_deadline: '无已知时限 no deadline',
  missing_overdue: '缺报（逾期） missing, overdue',
  missing_open: '待报（未到期） open',
  missing_pending: '缺报（日历未覆盖） missing, pending',
};

const DESTINATION_ZH: Record<string, string> = {
  cascade: '梯次利用 cascade use',
  recycling: '再生利用 recycling',
  outlet: '回收网点 outlet',
  in_transit: '在途 in transit',
  unaccounted: '去向不明 unaccounted',
  held_by_dismantler: '拆解企业持有 held by the dismantler',
};

/** The timeliness report as a PDF (Chinese and English), streamed: summary, counts per node, then the findings. */
export function timelinessPdf(view: ReportView, rows: AsyncIterable<{ section: string; data: Record<string, unknown> }>): Readable {
  const out = new PassThrough();
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `Echelon report ${view.id}` } });
  doc.pipe(out);
  doc.registerFont('cjk', FONT);
  doc.font('cjk');
  void (async () => {
    const title: Record<string, string> = {
      flow_audit: '退役动力蓄电池流向审计 — Regulator flow audit',
      cascade_obligations: '梯次利用企业义务核查（梯次利用管理办法） — Cascade-utilisation obligations',
      timeliness: '动力蓄电池溯源上传及时性报告 — Upload timeliness report',
    };
    doc.fontSize(16).text(title[view.type] ?? view.type);
    doc.moveDown(0.5).fontSize(9);
    const meta: [string, string][] = [
      ['报告 Report', view.id],
      ['范围 Scope', view.scope],
      ['期间 Period (业务日期, 北京时间)', `${view.period.from} – ${view.period.to}`],
      ['生成时间 Generated', view.finishedAt ?? ''],
      ['判定时点 As of', view.asOf],
      ['规则版本 Rule sets', view.ruleSets],
      ['数据水位 Watermark (last event)', view.watermark],
      ['工作日历 Calendar', view.calendar.split(',').slice(-3).join(', ')],
    ];
    for (const [k, v] of meta) doc.text(`${k}: ${v}`);
    const flow = (
      view.summary as {
        flow?: { retired: Record<string, number>; destinations: Record<string, Record<string, number>>; nonWhitelistedHandovers: number };
      } | null
    )?.flow;
    if (flow) {
      doc.moveDown().fontSize(12).text('流向 Where retired batteries went (count / kWh / kg)').fontSize(9);
      doc.text(`退役 retired: ${flow.retired.count} / ${flow.retired.kwh} / ${flow.retired.kg}`);
      for (const [k, v] of Object.entries(flow.destinations)) doc.text(`${DESTINATION_ZH[k] ?? k}: ${v.count} / ${v.kwh} / ${v.kg}`);
      doc.text(`移交非白名单企业 hand-overs to non-whitelisted parties: ${flow.nonWhitelistedHandovers}`);
    }
    const summary = (view.summary ?? {}) as {
      totals?: Record<string, number>;
      byNode?: Record<string, Record<string, number>>;
      delay?: { median: number | null; worst: number | null };
    };
    const cascade = (
      view.summary as { cascade?: { findings: Record<string, number>; notAssessed: { article: string; check: string; reason: string }[] } } | null
    )?.cascade;
    if (cascade) {
      doc.moveDown().fontSize(12).text('发现 Findings by article').fontSize(9);
      for (const [k, v] of Object.entries(cascade.findings)) doc.text(`${k}: ${v}`);
      doc.moveDown().fontSize(12).text('未评估 Not assessed').fontSize(9);
      for (const x of cascade.notAssessed) doc.text(`第 ${x.article} 条 art. ${x.article}: ${x.check} — 未评估 not assessed (${x.reason})`);
    }
    if (!flow && !cascade) {
      doc.moveDown().fontSize(12).text('合计 Totals').fontSize(9);
      for (const [k, v] of Object.entries(summary.totals ?? {})) doc.text(`${STATUS_ZH[k] ?? k}: ${v}`);
      doc.text(`迟报天数（工作日）中位数 median delay: ${summary.delay?.median ?? '—'}; 最长 worst: ${summary.delay?.worst ?? '—'}`);
      doc.moveDown().fontSize(12).text('按节点 By node').fontSize(8);
      for (const [node, counts] of Object.entries(summary.byNode ?? {})) {
        doc.text(
          `${node}: ${Object.entries(counts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${STATUS_ZH[k] ?? k} ${n}`)
            .join('; ')}`,
        );
      }
    }
    doc.addPage().fontSize(12).text('问题清单 Findings').fontSize(7);
    let n = 0;
    for await (const r of rows) {
      if (n === PDF_MAX_FINDINGS) {
        doc
          .moveDown()
          .fontSize(9)
          .text(
            `仅列出前 ${PDF_MAX_FINDINGS} 条；完整清单见 CSV / XLSX 下载。Only the first ${PDF_MAX_FINDINGS} findings are listed; the CSV and XLSX downloads have all ${view.rowCount}.`,
          );
        break;
      }
      const d = r.data;
      if (r.section === 'finding') {
        doc.text(
          `${d.article} · ${d.findingZh ? `${d.findingZh} ` : ''}${d.finding} · ${d.batteryCode ?? d.regionName ?? ''} · ${d.eventId ?? ''} ${d.type ?? ''} ${d.occurredAt ?? ''}`,
        );
        n += 1;
        continue;
      }
      if (r.section === 'non_whitelisted' || r.section === 'unaccounted') {
        const label =
          r.section === 'unaccounted'
            ? `去向不明 unaccounted · 应报方 owed by ${d.owedBy}`
            : `移交非白名单企业 non-whitelisted · ${d.type} → ${d.counterpartyId}`;
        doc.text(`${label} · ${d.batteryCode} · ${d.eventId} · ${d.occurredAt}`);
        n += 1;
        continue;
      }
      const what =
        r.section === 'missing'
          ? `${d.expectation} (${d.eventType} ${d.eventId}) 应报方 owed by ${d.owedBy}`
          : `${d.type} ${d.eventId} 上报方 reporter ${d.reporterId}`;
      const when =
        r.section === 'late'
          ? `应报 due ${d.dueAt} 实报 uploaded ${d.uploadedAt} 迟 ${d.lateBy} ${d.unit === 'working_days' ? '工作日' : '日'}`
          : `应报 due ${d.dueAt ?? '待定 pending'}`;
      doc.text(
        `${STATUS_ZH[r.section === 'missing' ? `missing_${d.status}` : r.section] ?? r.section} · ${d.batteryCode} · ${what} · ${when} · ${d.basis ?? ''}`,
      );
      n += 1;
    }
    doc.end();
  })().catch((error: Error) => out.destroy(error));
  return out;
}
