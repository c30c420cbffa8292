import type { EpochReport, Reporter } from "@hpo/core";

/** A Reporter that keeps every epoch report and never asks to stop. */
export function recorder(): Reporter & { reports: EpochReport[] } {
  const reports: EpochReport[] = [];
  return {
    reports,
    report: async (r) => {
      reports.push(r);
      return false;
    },
  };
}
