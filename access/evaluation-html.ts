import type { BarChart, EvaluationDocument, Section, Table } from './evaluation-view.ts';
import { esc } from './routes/util.ts';

/**
 * The annual evaluation as one printable page: every value escaped, no script, no external
 * resource (the charts are inline SVG), and a print stylesheet that starts each section on a
 * new page and keeps tables and charts whole, so that "Print to PDF" files a clean report.
 */
const STYLE = `
body{font:11pt/1.45 Georgia,'Times New Roman',serif;color:#111;margin:2.5em auto;max-width:52em;padding:0 1.5em}
header.report{border-bottom:2px solid #111;margin-bottom:1.5em;padding-bottom:.6em}
header.report .agency{font-size:1.35em;font-weight:bold;margin:0}
header.report h1{font-size:1.6em;margin:.2em 0}
header.report p{margin:.15em 0}
.marking{font:bold 9pt sans-serif;letter-spacing:.08em}
h2{font-size:1.25em;border-bottom:1px solid #999;padding-bottom:.15em;margin-top:1.8em}
h3{font-size:1em;margin:1.2em 0 .4em}
p.context{font-style:italic;color:#333}
dl.figures{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1.2em;margin:.8em 0}
dl.figures dt{font-weight:bold}
dl.figures dd{margin:0}
dl.figures .note{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.5em 0 1em;font:9.5pt sans-serif}
th,td{border:1px solid #999;padding:3px 7px;text-align:left;vertical-align:top}
td.n{text-align:right}
svg.bars text{font:9pt sans-serif}
.notes{font-size:.9em;color:#444}
@page{margin:18mm 16mm}
@media print{body{margin:0;max-width:none;padding:0}section.sec{break-before:page}section.sec:first-of-type{break-before:auto}
table,svg,dl{break-inside:avoid}h2,h3{break-after:avoid}}
`;

const BAR_W = 300;
const ROW_H = 20;
const LABEL_W = 150;

/** Horizontal bars as inline SVG: a grey track and a dark bar of the row's width, its value beside it. */
export function barsSvg(chart: BarChart): string {
  if (!chart.rows.length) return '<p>No data.</p>';
  const h = chart.rows.length * ROW_H + 4;
  const rows = chart.rows
    .map((r, i) => {
      const y = i * ROW_H + 2;
      const w = Math.round(Math.min(1, Math.max(0, r.width)) * BAR_W);
      return `<text x="0" y="${y + 13}">${esc(r.label)}</text><rect x="${LABEL_W}" y="${y + 3}" width="${BAR_W}" height="12" fill="#e4e4e4"/><rect x="${LABEL_W}" y="${y + 3}" width="${w}" height="12" fill="#2f4f6f"/><text x="${LABEL_W + BAR_W + 8}" y="${y + 13}">${esc(r.text)}</text>`;
    })
    .join('');
  return `<svg class="bars" role="img" aria-label="${esc(chart.title)}" width="${LABEL_W + BAR_W + 110}" height="${h}" viewBox="0 0 ${LABEL_W + BAR_W + 110} ${h}">${rows}</svg>`;
}

const numeric = (v: string) => /^[\d,.<>% –-]+(fps|ms|%)?$/.test(v) && /\d/.test(v);

export function tableHtml(t: Table): string {
  if (!t.rows.length) return '<p>None.</p>';
  const head = t.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td${numeric(v) ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function sectionHtml(s: Section): string {
  const figures = s.figures.length
    ? `<dl class="figures">${s.figures
        .map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}${f.note ? ` <span class="note">(${esc(f.note)})</span>` : ''}</dd>`)
        .join('')}</dl>`
    : '';
  const charts = s.charts.map((c) => `<h3>${esc(c.title)}</h3>${barsSvg(c)}`).join('');
  const tables = s.tables.map((t) => `<h3>${esc(t.title)}</h3>${tableHtml(t.table)}`).join('');
  const notes = s.notes.length ? `<p class="notes">${s.notes.map(esc).join(' ')}</p>` : '';
  return `<section class="sec" id="${esc(s.id)}"><h2>${esc(s.title)}</h2><p class="context">${esc(s.context)}</p>${figures}${charts}${tables}${notes}</section>`;
}

export function evaluationHtml(doc: EvaluationDocument): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(`${doc.agency}: ${doc.title}`)}</title><style>${STYLE}</style></head>
<body><header class="report"><p class="marking">FOR OFFICIAL USE ONLY</p><p class="agency">${esc(doc.agency)}</p><h1>${esc(doc.title)}</h1>
<p>Period: ${esc(doc.period)} (dates in ${esc(doc.timeZone)})</p><p>Prepared ${esc(doc.generated)} under the FDLE CJJIS ALPR guidelines, section 7b.</p></header>
${doc.sections.map(sectionHtml).join('\n')}
</body></html>`;
}
