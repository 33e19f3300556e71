import type { JobRow } from '../db/repos/jobs.js';
import type { Outcome } from '../domain/outcome.js';

/** The job table's row, defined by its repository; re-exported for the queue's callers. */
export type { JobRow, JobState } from '../db/repos/jobs.js';

export interface NewJob {
  orgId: string;
  kind: string;
  payload: unknown;
  /** Enqueueing the same (org, dedupeKey) twice creates one job: at-least-once in, one job out. */
  dedupeKey: string;
  correlationId: string;
  connectionKey?: string;
  maxAttempts?: number;
  runAt?: Date;
}

/** A job handler returns an Outcome; failures decide retry vs dead letter, exceptions are bugs. */
export type JobHandler = (job: JobRow) => Promise<Outcome<unknown>>;

/**
 * What a runtime provides so freshly committed jobs start promptly: the Node driver wakes its
 * loop, the Cloudflare driver sends one Queue message per job. The job table stays the source of
 * truth either way; a scheduled sweep picks up anything a notification missed.
 */
export interface JobDriver {
  notify(jobIds: readonly string[]): Promise<void>;
}

/** Thrown only by test hooks to simulate the process dying mid-job: nothing after it commits. */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'SimulatedCrash';
  }
}

// ---------------------------------------------------------------- Cloudflare Queues, as the driver sees them

export interface QueueSendOptions {
  delaySeconds?: number;
}

export interface QueueBinding<Body> {
  send(body: Body, options?: QueueSendOptions): Promise<void>;
  sendBatch(messages: Iterable<{ body: Body; delaySeconds?: number }>): Promise<void>;
}

export interface QueueMessage<Body> {
  readonly id: string;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: QueueSendOptions): void;
}

export interface QueueMessageBatch<Body> {
  readonly queue: string;
  readonly messages: readonly QueueMessage<Body>[];
}
