/** Importance-thread entry (see importance-runner.ts): computes PED-ANOVA for each request. */
import { serveRequests } from "../../request-thread.ts";
import { type ImportanceInput, type ParamImportance, pedAnova } from "./ped-anova.ts";

serveRequests<ImportanceInput, ParamImportance[]>(pedAnova);
