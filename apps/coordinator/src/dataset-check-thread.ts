/** Dataset-check thread entry (see dataset-check.ts): checks one submitted sweep's CSV file per request. */
import { serveRequests } from "./dashboard/request-thread.ts";
import { type DatasetCheckOutcome, type DatasetCheckRequest, runDatasetCheck } from "./dataset-check.ts";

serveRequests<DatasetCheckRequest, DatasetCheckOutcome>(runDatasetCheck);
