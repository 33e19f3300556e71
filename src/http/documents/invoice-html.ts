/**
 * The printable invoice as one self-contained HTML page: inline CSS (no stylesheet, font or image
 * to fetch), laid out for A4/Letter print. Every value goes through the `html` tag, which escapes
 * it: a customer named `<script>` prints as text.
 */
import type { PrintableInvoice } from '../../domain/invoice-document.js';
import { html } from '../embed-html.js';

const CSS = `
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1f24; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 12mm 0; position: relative; }
header { display: flex; justify-content: space-between; gap: 12mm; margin-bottom: 10mm; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
.seller { font-weight: 600; font-size: 12pt; }
.label { color: #57606a; font-size: 8.5pt; text-transform: uppercase; letter-spacing: .04em; }
.bill-to p { margin: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 6mm; margin: 0; }
dt { color: #57606a; }
dd { margin: 0; }
table { width: 100%; border-collapse: collapse; margin-top: 6mm; }
th { text-align: left; font-size: 8.5pt; color: #57606a; border-bottom: 1.5px solid #1b1f24; padding: 1.5mm 2mm; }
td { border-bottom: 1px solid #d0d7de; padding: 1.8mm 2mm; vertical-align: top; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.totals { width: auto; margin-left: auto; min-width: 70mm; }
.totals td { border: 0; padding: 1mm 2mm; }
.totals tr:last-child td { font-weight: 700; border-top: 1.5px solid #1b1f24; font-size: 12pt; }
h2 { font-size: 11pt; margin: 10mm 0 0; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 96pt; font-weight: 800;
  color: rgba(207, 34, 46, .12); transform: rotate(-30deg); pointer-events: none; z-index: 1; }
tr { break-inside: avoid; }
td.period { white-space: nowrap; }
@media print { main { padding: 0; } }
`;

export function invoiceHtml(doc: PrintableInvoice): string {
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.title} · ${doc.seller}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${doc.watermark ? html`<div class="watermark" aria-hidden="true">${doc.watermark}</div>` : ''}
<header>
  <div>
    <div class="seller">${doc.seller}</div>
    <h1>${doc.title}</h1>
    <dl>${doc.facts.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
  </div>
  <div class="bill-to">
    <div class="label">Bill to</div>
    ${doc.billTo.map((line, n) => (n === 0 ? html`<p><strong>${line}</strong></p>` : html`<p>${line}</p>`))}
  </div>
</header>
<table class="lines">
  <thead><tr><th>Description</th><th>Period</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Tax</th><th class="num">Amount</th></tr></thead>
  <tbody>
  ${doc.lines.map(
    (l) =>
      html`<tr><td>${l.description}</td><td class="period">${l.period}</td><td class="num">${l.quantity}</td><td class="num">${l.unitPrice}</td><td class="num">${l.tax}</td><td class="num">${l.amount}</td></tr>`,
  )}
  </tbody>
</table>
<table class="totals">
  ${doc.totals.map(([label, value]) => html`<tr><td>${label}</td><td class="num">${value}</td></tr>`)}
</table>
${
  doc.payments.length > 0
    ? html`<h2>Payments</h2>
<table class="payments">
  <thead><tr><th>Date</th><th>Provider</th><th>Status</th><th class="num">Amount</th></tr></thead>
  <tbody>${doc.payments.map(
    (p) => html`<tr><td>${p.date}</td><td>${p.provider}</td><td>${p.status}</td><td class="num">${p.amount}</td></tr>`,
  )}</tbody>
</table>`
    : ''
}
</main>
</body>
</html>
`;
  return page.value;
}
