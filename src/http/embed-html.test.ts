import { describe, expect, it } from 'vitest';
import { DEFAULT_SLDS_CSS_URL, escapeHtml, html, SafeHtml, stylesheetUrl } from './embed-html.js';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["' onmouseover='alert(1)", '&#39; onmouseover=&#39;alert(1)'],
    ['Tom & Jerry &amp;', 'Tom &amp; Jerry &amp;amp;'],
    ['plain text 123', 'plain text 123'],
  ])('escapes %s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('renders null and undefined as empty and other values as text', () => {
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('html template', () => {
  it('escapes every interpolation, in text and in attributes', () => {
    const name = '"><script>alert(1)</script>';
    const out = html`<input value="${name}"><td>${name}</td>`.value;
    expect(out).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"><td>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>',
    );
  });

  it('keeps nested templates as markup and escapes arrays item by item', () => {
    const rows = ['<a>', 'b'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${rows}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    expect(html`${['<x>', new SafeHtml('<br>')]}`.value).toBe('&lt;x&gt;<br>');
    expect(html`${null}${undefined}${false}`.value).toBe('');
  });
});

describe('stylesheetUrl', () => {
  it('accepts https URLs and same-origin paths, and falls back for anything else', () => {
    expect(stylesheetUrl(undefined)).toBe(DEFAULT_SLDS_CSS_URL);
    expect(stylesheetUrl('https://acme.my.salesforce.com/resource/slds/styles.css')).toBe(
      'https://acme.my.salesforce.com/resource/slds/styles.css',
    );
    expect(stylesheetUrl('/static/slds.css')).toBe('/static/slds.css');
    for (const bad of [
      'javascript:alert(1)',
      'data:text/css,x',
      'http://cdn.example/slds.css',
      '//evil.example/x.css',
    ]) {
      expect(stylesheetUrl(bad)).toBe(DEFAULT_SLDS_CSS_URL);
    }
  });
});
