/**
 * Opaque page cursors for the list endpoints: base64url of the last row's (created_at, id). Only a
 * position, never a filter or an org: every query is still scoped and filtered by the request, so
 * a cursor edited by hand can only move within what the caller may read anyway.
 */
import type { PageAfter } from '../db/repos/invoices-read.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

// btoa/atob run on Node and Workers alike; the JSON is ASCII (an ISO instant and a hub id),
// and anything that is not decodes to null below.
const toBase64Url = (text: string) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const fromBase64Url = (text: string) => atob(text.replaceAll('-', '+').replaceAll('_', '/'));

export function encodeCursor(after: PageAfter): string {
  return toBase64Url(JSON.stringify([after.createdAt, after.id]));
}

/** The position a cursor names, or null when it is not one this API made. */
export function decodeCursor(cursor: string): PageAfter | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(fromBase64Url(cursor));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value;
    if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt)) return null;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}
