/** The billing run: engine, job, schedule. */
export {
  type BillingRunDeps,
  type BillingRunProgress,
  type BillingRunResult,
  isCalendarDate,
  runBilling,
} from './engine.js';
export { BILLING_RUN_JOB_KIND, billingRunJobHandler, runScheduledBilling, startBillingRun } from './jobs.js';
