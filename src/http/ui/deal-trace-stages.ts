/**
 * A deal's whole path cut into the stages it runs through, in their order: deal → contract →
 * invoices → tax → payments → ERP postings → CRM write-back. A job can touch several stages (the
 * finalize job numbers the invoice and commits its tax), so each job's steps are placed by the
 * step's name; a job that has not run a step yet sits where its flow starts.
 */

export const STAGES = [
  { id: 'deal', label: 'Deal' },
  { id: 'contract', label: 'Contract' },
  { id: 'invoices', label: 'Invoices' },
  { id: 'tax', label: 'Tax' },
  { id: 'payments', label: 'Payments' },
  { id: 'erp', label: 'ERP postings' },
  { id: 'write_back', label: 'CRM write-back' },
] as const;

export type StageId = (typeof STAGES)[number]['id'];

/**
 * Where each flow step belongs, by the name the runner stores it under (the step's `storedAs` in
 * flows/*.ts). A step not listed here goes where its flow starts.
 */
const STEP_STAGE: Record<string, StageId> = {
  'fetch-deal': 'deal',
  map: 'deal',
  'create-contract': 'contract',
  amend: 'contract',
  number: 'invoices',
  finalize: 'invoices',
  settle: 'invoices',
  'undo-finalize': 'invoices',
  tax: 'tax',
  'tax-return': 'tax',
  'customer-credit': 'payments',
  'payment-customer': 'payments',
  payment: 'payments',
  fee: 'payments',
  record: 'payments',
  'retry-charge': 'payments',
  'follow-up': 'payments',
  'undo-payment': 'payments',
  'erp-customer': 'erp',
  'erp-items': 'erp',
  'erp-invoice': 'erp',
  'erp-payment': 'erp',
  'erp-credit-memo': 'erp',
  'undo-erp': 'erp',
  'write-back': 'write_back',
  'write-back-account': 'write_back',
};

/** Where a flow's job sits before it ran a step (and where an unknown step of it goes). */
const FLOW_STAGE: Record<string, StageId> = {
  'deal-to-contract': 'deal',
  'deal-amendment': 'contract',
  'finalize-invoice': 'invoices',
  'issue-credit-note': 'invoices',
  'void-invoice': 'invoices',
  'collect-payment': 'payments',
  'record-payment': 'payments',
  'dunning-retry': 'payments',
  'post-invoice-to-erp': 'erp',
  'post-payment-to-erp': 'erp',
  'crm-write-back': 'write_back',
};

export interface TraceStep {
  step: string;
  status: string;
  error: string | null;
  attempts: number;
}

export interface TraceJob {
  id: string;
  flow: string | null;
  kind: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  subjectId: string | null;
  createdAt: string;
  steps: TraceStep[];
}

export interface StageJob {
  job: TraceJob;
  /** The job's steps that belong to this stage (all of them when it ran none yet). */
  steps: TraceStep[];
}

export type StageState = 'dead' | 'running' | 'queued' | 'succeeded' | 'none';

export interface Stage {
  id: StageId;
  label: string;
  state: StageState;
  jobs: StageJob[];
}

/** The worst state wins: one dead job makes the stage need a person. */
const RANK: Record<StageState, number> = { none: 0, succeeded: 1, queued: 2, running: 3, dead: 4 };

function stageStateOf(jobs: readonly StageJob[]): StageState {
  let worst: StageState = 'none';
  for (const { job, steps } of jobs) {
    // Steps of this stage all done: the stage is through, whatever the job does after it.
    const through = steps.length > 0 && steps.every((s) => s.status === 'done');
    const state = through ? 'succeeded' : ((job.state in RANK ? job.state : 'queued') as StageState);
    if (RANK[state] > RANK[worst]) worst = state;
  }
  return worst;
}

export function traceStages(jobs: readonly TraceJob[]): Stage[] {
  const placed = new Map<StageId, StageJob[]>(STAGES.map((s) => [s.id, []]));
  for (const job of jobs) {
    const home = (job.flow && FLOW_STAGE[job.flow]) || 'deal';
    if (job.steps.length === 0) {
      placed.get(home)!.push({ job, steps: [] });
      continue;
    }
    const byStage = new Map<StageId, TraceStep[]>();
    for (const step of job.steps) {
      const stage = STEP_STAGE[step.step] ?? home;
      byStage.set(stage, [...(byStage.get(stage) ?? []), step]);
    }
    for (const [stage, steps] of byStage) placed.get(stage)!.push({ job, steps });
  }
  return STAGES.map((s) => {
    const stageJobs = placed.get(s.id)!;
    return { id: s.id, label: s.label, state: stageStateOf(stageJobs), jobs: stageJobs };
  });
}
