import { describe, expect, it } from 'vitest';
import { type TraceJob, traceStages } from './deal-trace-stages.js';

const job = (over: Partial<TraceJob>): TraceJob => ({
  id: 'job_1',
  flow: 'finalize-invoice',
  kind: 'flow',
  state: 'succeeded',
  attempts: 1,
  maxAttempts: 8,
  lastError: null,
  subjectId: 'inv_1',
  createdAt: '2026-03-02T09:00:00.000Z',
  steps: [],
  ...over,
});

const stateOf = (stages: ReturnType<typeof traceStages>) => Object.fromEntries(stages.map((s) => [s.id, s.state]));

describe('traceStages', () => {
  it('lists the seven stages in pipeline order, empty ones as none', () => {
    const stages = traceStages([]);
    expect(stages.map((s) => s.id)).toEqual(['deal', 'contract', 'invoices', 'tax', 'payments', 'erp', 'write_back']);
    expect(new Set(stages.map((s) => s.state))).toEqual(new Set(['none']));
  });

  it('splits one job over the stages its steps belong to', () => {
    const finalize = job({
      state: 'dead',
      steps: [
        { step: 'number', status: 'done', error: null, attempts: 1 },
        { step: 'tax', status: 'failed', error: 'retryable: HTTP 503', attempts: 8 },
      ],
    });
    const stages = traceStages([finalize]);
    expect(stateOf(stages)).toMatchObject({ invoices: 'succeeded', tax: 'dead', payments: 'none' });
    const tax = stages.find((s) => s.id === 'tax')!;
    expect(tax.jobs).toEqual([{ job: finalize, steps: [finalize.steps[1]] }]);
  });

  it('puts a job that ran no step where its flow starts, and the worst state wins', () => {
    const queued = job({ id: 'job_q', flow: 'post-invoice-to-erp', state: 'queued' });
    const done = job({
      id: 'job_d',
      flow: 'post-payment-to-erp',
      steps: [{ step: 'erp-payment', status: 'done', error: null, attempts: 1 }],
    });
    const unknown = job({ id: 'job_u', flow: null, kind: 'webhook-delivery', state: 'running' });
    const stages = traceStages([queued, done, unknown]);
    expect(stateOf(stages)).toMatchObject({ erp: 'queued', deal: 'running' });
    expect(stages.find((s) => s.id === 'erp')!.jobs.map((j) => j.job.id)).toEqual(['job_q', 'job_d']);
  });
});
