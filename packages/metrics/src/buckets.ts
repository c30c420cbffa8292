/**
 * Histogram buckets, in seconds. Trials range from milliseconds (noop mode) to hours on a GPU,
 * so the buckets are roughly logarithmic over that range.
 */
export const LONG_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400,
];

/** Epochs: from a millisecond (tiny CPU models) to minutes (large GPU epochs). */
export const EPOCH_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** HTTP requests and Redis round trips. */
export const FAST_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
