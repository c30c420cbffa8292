import type { EpochReport, Reporter } from "@hpo/core";

/**
 * A reporter that keeps every epoch report in `reports` and answers "prune" when `prune` says so
 * (never by default).
 */
export function recorder(prune: (r: EpochReport) => boolean = () => false): Reporter & { reports: EpochReport[] } {
  const reports: EpochReport[] = [];
  return {
    reports,
    report: async (r) => {
      reports.push(r);
      return prune(r);
    },
  };
}
