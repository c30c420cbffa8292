export { type AppDeps, type AppMetrics, createApp } from "./app.ts";
export { createDashboard, type Dashboard, type DashboardOptions } from "./dashboard/index.ts";
export { createLogger } from "./logger.ts";
export { createCoreProposer, type Proposer } from "./proposer.ts";
export { createRefitter, type Refitter, refitSeedOf } from "./refits.ts";
export { createScheduler, type Scheduler, type SchedulerMetrics, type SchedulerOptions } from "./scheduler.ts";
export { TRIAL_JOB_OPTIONS, type TrialMode, trialJobOf } from "./trial-jobs.ts";
