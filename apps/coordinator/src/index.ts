export { createApp, type AppDeps, type AppMetrics } from "./app.ts";
export { createScheduler, type Scheduler, type SchedulerOptions, type SchedulerMetrics } from "./scheduler.ts";
export { createCoreProposer, type Proposer } from "./proposer.ts";
export { TRIAL_JOB_OPTIONS, trialJobOf, type TrialMode } from "./trial-jobs.ts";
