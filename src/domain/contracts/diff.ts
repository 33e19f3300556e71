/** The structural diff of two ContractTerms by item id (an amendment's change set). Pure. */
import type { ContractTerms } from './terms.js';

type Item = ContractTerms['phases'][number]['items'][number];

/** Items by id across phases (an id may recur in several phases; each occurrence is compared). */
function itemsById(terms: ContractTerms): Map<string, { phase: string; item: Item }[]> {
  const byId = new Map<string, { phase: string; item: Item }[]>();
  for (const phase of terms.phases) {
    for (const item of phase.items) byId.set(item.id, [...(byId.get(item.id) ?? []), { phase: phase.name, item }]);
  }
  return byId;
}

export interface TermsDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
  /** Contract-level fields that changed (currency, endDate, phases' own fields are under `phases`). */
  terms_fields: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A structural diff by item id: what an amendment added, removed or changed. */
export function diffTerms(previous: ContractTerms, next: ContractTerms): TermsDiff {
  const before = itemsById(previous);
  const after = itemsById(next);
  const changed: TermsDiff['changed'] = [];
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was || same(was, now)) continue;
    const keys = new Set([...was, ...now].flatMap((o) => Object.keys(o.item)));
    const fields = [...keys].filter(
      (k) =>
        !same(
          was.map((o) => o.item[k as keyof Item]),
          now.map((o) => o.item[k as keyof Item]),
        ),
    );
    if (
      !same(
        was.map((o) => o.phase),
        now.map((o) => o.phase),
      )
    )
      fields.unshift('phase');
    changed.push({ id, fields });
  }
  const withoutItems = (t: ContractTerms) => ({
    ...t,
    phases: t.phases.map((p) => ({ ...p, items: undefined })),
  });
  const a = withoutItems(previous);
  const b = withoutItems(next);
  const termKeys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof typeof a)[];
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed,
    terms_fields: termKeys.filter((k) => !same(a[k], b[k])),
  };
}

/** True when the diff names no change at all. */
export function isEmptyDiff(diff: TermsDiff): boolean {
  return (
    diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0 && diff.terms_fields.length === 0
  );
}
