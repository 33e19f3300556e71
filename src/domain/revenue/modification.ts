/**
 * Contract modifications (ASC 606-10-25-10 to 25-13) for one ratable obligation. The rule:
 * - the remaining service is distinct from what was delivered → `prospective`: what was already
 *   earned stays; the rest of the new price is spread over the rest of the new service period;
 * - it is not distinct (one service, changed in scope or price) → `cumulative_catch_up`: the new
 *   price's schedule applies from the start, and the difference for the months already earned is
 *   booked at once in the month the change takes effect.
 * Each result carries its explanation: before, after, the catch-up, which rule and why.
 */
import { addDaysFast } from '../billing/day-math.js';
import { type Obligation, type RecognitionEntry, recognitionSchedule } from '../recognition.js';

export type ModificationRule = 'prospective' | 'cumulative_catch_up';

export interface ModificationExplanation {
  rule: ModificationRule;
  why: string;
  effectivePeriod: string;
  beforeMinor: number;
  afterMinor: number;
  earnedBeforeMinor: number;
  catchUpMinor: number;
}

export function chooseRule(remainingDistinct: boolean): { rule: ModificationRule; why: string } {
  return remainingDistinct
    ? {
        rule: 'prospective',
        why: 'the remaining service is distinct from what was delivered (ASC 606-10-25-13a): the change applies from its effective date on',
      }
    : {
        rule: 'cumulative_catch_up',
        why: 'the remaining service is not distinct (ASC 606-10-25-13b): the new terms apply from the start, the difference for past months at once',
      };
}

const schedule = (o: Obligation): RecognitionEntry[] => {
  const built = recognitionSchedule(o);
  if (!built.ok) throw new RangeError(built.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  return built.entries;
};

const sumBefore = (entries: readonly RecognitionEntry[], period: string) =>
  entries.filter((e) => e.month < period).reduce((s, e) => s + e.amountMinor, 0);

export function modifyObligation(input: {
  before: Obligation;
  after: Obligation;
  effectiveDate: string;
  remainingDistinct: boolean;
}): { schedule: RecognitionEntry[]; explanation: ModificationExplanation } {
  const { before, after, effectiveDate } = input;
  const { rule, why } = chooseRule(input.remainingDistinct);
  const effectivePeriod = effectiveDate.slice(0, 7);
  const old = schedule(before);
  const earnedBefore = sumBefore(old, effectivePeriod);
  const kept = old.filter((e) => e.month < effectivePeriod);
  let rest: RecognitionEntry[];
  let catchUp = 0;
  if (rule === 'prospective') {
    // The rest of the new price over the rest of the new period, from the effective month's start.
    const start =
      `${effectivePeriod}-01` > after.servicePeriod.start ? `${effectivePeriod}-01` : after.servicePeriod.start;
    const end = after.servicePeriod.end > start ? after.servicePeriod.end : addDaysFast(start, 1);
    rest = schedule({ ...after, amountMinor: after.amountMinor - earnedBefore, servicePeriod: { start, end } });
  } else {
    const fresh = schedule(after);
    catchUp = sumBefore(fresh, effectivePeriod) - earnedBefore;
    rest = fresh.filter((e) => e.month >= effectivePeriod);
    if (catchUp !== 0) {
      const first = rest[0];
      if (first && first.month === effectivePeriod) {
        rest = [
          {
            ...first,
            amountMinor: first.amountMinor + catchUp,
            explanation: `${first.explanation}; catch-up ${catchUp}`,
          },
          ...rest.slice(1),
        ];
      } else {
        const on = effectiveDate;
        rest = [
          {
            month: effectivePeriod,
            start: on,
            end: addDaysFast(on, 1),
            days: 1,
            amountMinor: catchUp,
            explanation: `catch-up ${catchUp}`,
          },
          ...rest,
        ];
      }
    }
  }
  return {
    schedule: [...kept, ...rest],
    explanation: {
      rule,
      why,
      effectivePeriod,
      beforeMinor: before.amountMinor,
      afterMinor: after.amountMinor,
      earnedBeforeMinor: earnedBefore,
      catchUpMinor: catchUp,
    },
  };
}
