/**
 * The printable invoice as a PDF, drawn with pdf-lib (pure JavaScript: the same code on Node and
 * under workerd, no native module, no font file to load). Helvetica is one of the PDF standard 14
 * fonts, so nothing is embedded; it encodes WinAnsi only, and a character outside it (CJK, emoji)
 * prints as "?" rather than failing the document. Title, Subject and Author carry the number,
 * the summary and the seller, so a mail client or an archive can index the file unopened.
 * Layout follows https://pdf-lib.js.org/docs/api/classes/pdfpage (drawText, widthOfTextAtSize).
 */
import { degrees, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import type { PrintableInvoice } from '../../domain/invoice-document.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const SIZE = 9.5;
const LEADING = 13;
const GREY = rgb(0.34, 0.38, 0.42);
const INK = rgb(0.1, 0.12, 0.14);

/**
 * Columns, in points from the left margin: text columns by left edge and width, number columns by
 * right edge and width (a number wider than its column is drawn smaller, never over its neighbour).
 */
const COLUMNS = {
  description: { x: 0, width: 150 },
  period: { x: 156, width: 92 },
  quantity: { right: 300, width: 48 },
  unitPrice: { right: 374, width: 70 },
  tax: { right: 432, width: 54 },
  amount: { right: 499, width: 63 },
} as const;

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** Replaces what WinAnsi cannot encode, so drawText never throws on a customer's name. */
function encodable(font: PDFFont): (text: string) => string {
  const charset = new Set(font.getCharacterSet());
  return (text) =>
    Array.from(text.replace(/[\r\n\t]+/g, ' '), (ch) => (charset.has(ch.codePointAt(0)!) ? ch : '?')).join('');
}

/** Greedy word wrap to `width` points; a single word wider than the column is cut by characters. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  const fits = (t: string) => font.widthOfTextAtSize(t, size) <= width;
  for (const word of text.split(' ')) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = '';
    let rest = word;
    while (!fits(rest) && rest.length > 1) {
      let n = rest.length - 1;
      while (n > 1 && !fits(rest.slice(0, n))) n--;
      lines.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    current = rest;
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

class Writer {
  page!: PDFPage;
  y = 0;
  constructor(
    private readonly pdf: PDFDocument,
    private readonly fonts: Fonts,
    private readonly clean: (text: string) => string,
    private readonly watermark: string | null,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
    if (this.watermark) {
      this.page.drawText(this.watermark, {
        x: 150,
        y: 260,
        size: 110,
        font: this.fonts.bold,
        color: rgb(0.81, 0.13, 0.18),
        opacity: 0.12,
        rotate: degrees(35),
      });
    }
  }

  /** Room for `height` points more, or a new page. */
  need(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  text(value: string, x: number, opts: { bold?: boolean; size?: number; color?: typeof INK } = {}): void {
    this.page.drawText(this.clean(value), {
      x: MARGIN + x,
      y: this.y,
      size: opts.size ?? SIZE,
      font: opts.bold ? this.fonts.bold : this.fonts.regular,
      color: opts.color ?? INK,
    });
  }

  right(value: string, rightEdge: number, opts: { bold?: boolean; size?: number; maxWidth?: number } = {}): void {
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const text = this.clean(value);
    let size = opts.size ?? SIZE;
    const natural = font.widthOfTextAtSize(text, size);
    if (opts.maxWidth !== undefined && natural > opts.maxWidth) size = (size * opts.maxWidth) / natural;
    this.text(value, rightEdge - font.widthOfTextAtSize(text, size), { ...opts, size });
  }

  rule(weight = 0.6): void {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: MARGIN + COLUMNS.amount.right, y: this.y },
      thickness: weight,
      color: GREY,
    });
  }

  wrapped(value: string, width: number): string[] {
    return wrap(this.clean(value), this.fonts.regular, SIZE, width);
  }
}

function header(w: Writer, doc: PrintableInvoice): void {
  w.text(doc.seller, 0, { bold: true, size: 12 });
  w.y -= 24;
  w.text(doc.title, 0, { bold: true, size: 18 });
  const titleY = w.y;
  w.y -= 22;
  for (const [label, value] of doc.facts) {
    w.text(label, 0, { color: GREY });
    w.text(value, 90);
    w.y -= LEADING;
  }
  const factsEnd = w.y;
  w.y = titleY;
  w.text('BILL TO', 330, { size: 8, color: GREY });
  w.y -= LEADING;
  doc.billTo.forEach((line, n) => {
    for (const part of w.wrapped(line, 170)) {
      w.text(part, 330, { bold: n === 0 });
      w.y -= LEADING;
    }
  });
  w.y = Math.min(w.y, factsEnd) - 14;
}

function tableHead(w: Writer): void {
  w.text('Description', COLUMNS.description.x, { bold: true, size: 8.5 });
  w.text('Period', COLUMNS.period.x, { bold: true, size: 8.5 });
  w.right('Quantity', COLUMNS.quantity.right, { bold: true, size: 8.5 });
  w.right('Unit price', COLUMNS.unitPrice.right, { bold: true, size: 8.5 });
  w.right('Tax', COLUMNS.tax.right, { bold: true, size: 8.5 });
  w.right('Amount', COLUMNS.amount.right, { bold: true, size: 8.5 });
  w.y -= 5;
  w.rule(1);
  w.y -= LEADING;
}

function lines(w: Writer, doc: PrintableInvoice): void {
  tableHead(w);
  for (const line of doc.lines) {
    const description = w.wrapped(line.description, COLUMNS.description.width);
    const period = w.wrapped(line.period, COLUMNS.period.width);
    const rows = Math.max(description.length, period.length);
    w.need(rows * LEADING + 6);
    if (w.y === A4[1] - MARGIN) tableHead(w);
    const top = w.y;
    for (const column of ['quantity', 'unitPrice', 'tax', 'amount'] as const) {
      w.right(line[column], COLUMNS[column].right, { maxWidth: COLUMNS[column].width });
    }
    for (let r = 0; r < rows; r++) {
      if (description[r]) w.text(description[r]!, COLUMNS.description.x);
      if (period[r]) w.text(period[r]!, COLUMNS.period.x);
      w.y -= LEADING;
    }
    w.y = top - rows * LEADING + 4;
    w.rule(0.3);
    w.y -= LEADING;
  }
}

function totals(w: Writer, doc: PrintableInvoice): void {
  w.need(doc.totals.length * (LEADING + 2) + 10);
  w.y -= 4;
  doc.totals.forEach(([label, value], n) => {
    const last = n === doc.totals.length - 1;
    w.text(label, 300, { bold: last, size: last ? 11 : SIZE });
    w.right(value, COLUMNS.amount.right, { bold: last, size: last ? 11 : SIZE });
    w.y -= LEADING + 2;
  });
}

function paymentTable(w: Writer, doc: PrintableInvoice): void {
  if (doc.payments.length === 0) return;
  w.need(3 * LEADING + 20);
  w.y -= 14;
  w.text('Payments', 0, { bold: true, size: 11 });
  w.y -= LEADING + 4;
  for (const p of doc.payments) {
    w.need(LEADING);
    w.text(p.date, 0);
    w.text(p.provider, 90);
    w.text(p.status, 200);
    w.right(p.amount, COLUMNS.amount.right);
    w.y -= LEADING;
  }
}

/** `at` is the document's creation and modification date (the hub's clock: the same bytes on a replay). */
export async function invoicePdf(doc: PrintableInvoice, at: Date): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
  };
  // Both fonts share WinAnsi, so one filter serves either.
  const clean = encodable(fonts.regular);
  pdf.setTitle(doc.title);
  pdf.setSubject(doc.subject);
  pdf.setAuthor(doc.seller);
  pdf.setCreator('cpq-to-cash hub');
  pdf.setProducer('cpq-to-cash hub (pdf-lib)');
  pdf.setCreationDate(at);
  pdf.setModificationDate(at);
  if (doc.number) pdf.setKeywords([doc.number]);
  const w = new Writer(pdf, fonts, clean, doc.watermark);
  header(w, doc);
  lines(w, doc);
  totals(w, doc);
  paymentTable(w, doc);
  return pdf.save();
}
