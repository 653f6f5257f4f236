import { formatDateTime } from '../../common/i18n/dates';
import { translate, type Lang } from '../../common/i18n/i18n';
import { OUTCOMES, type Report } from './reports.service';
import { inertCell } from '../../common/tables/csv';

/** The words heading a report (page, PDF): its title, whose figures, which period, how fresh. */
export function reportTexts(report: Report, lang: Lang): { title: string; scope: string; period: string; freshness: string } {
  const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
  const lastEventAt = report.freshness.lastEventAt;
  return {
    title: t('reports.title'),
    scope: report.county ? report.county.name : report.audience.institutionCode ? t('reports.ownInstitution') : t('reports.allCounties'),
    period: t(report.periodLabel.key, report.periodLabel.params),
    freshness: lastEventAt ? t('reports.freshness', { time: formatDateTime(lastEventAt, lang) }) : t('reports.freshnessNone'),
  };
}

/** The report as one flat sheet (a header row, then each table's lines and total): what the CSV, the XLSX and the PDF hold. */
export function exportSheet(report: Report, lang: Lang): { title: string; header: string[]; rows: Array<Array<string | number>> } {
  const t = (key: string, params?: Record<string, unknown>) => translate(lang, key, params);
  const header = [t('reports.export.table'), t('reports.export.code'), t('reports.export.name'), ...OUTCOMES.map((o) => t(`supportDuty.state.${o}`)), t('reports.column.cases'), t('reports.column.sessions')];
  const rows = report.tables.flatMap((table) => [
    ...table.lines.map((l) => [t(`reports.table.${table.id}`), l.code, l.name, ...OUTCOMES.map((o) => l.outcomes[o]), l.cases, l.sessions]),
    [t(`reports.table.${table.id}`), '', t('reports.column.total'), ...OUTCOMES.map((o) => table.total.outcomes[o]), table.total.cases, table.total.sessions],
  ]);
  const where = report.county ? report.county.name : report.audience.institutionCode ? report.audience.institutionCode : t('reports.allCounties');
  return { title: `${t('reports.title')} ${t(report.periodLabel.key, report.periodLabel.params)} ${where}`, header, rows };
}

/** RFC 4180 CSV in UTF-8 with a byte-order mark (so Excel in zh-TW opens it as UTF-8), CRLF line ends; every text cell quoted. */
export function toCsv(sheet: { header: string[]; rows: Array<Array<string | number>> }): Buffer {
  const cell = (v: string | number) => (typeof v === 'number' ? String(v) : `"${inertCell(v).replace(/"/g, '""')}"`);
  const lines = [sheet.header, ...sheet.rows].map((row) => row.map(cell).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}
