/** Dataset-check thread entry (see dataset-check.ts): checks one submitted sweep's CSV file per request. */

import { type DatasetCheckOutcome, type DatasetCheckRequest, runDatasetCheck } from "./dataset-check.ts";
import { serveRequests } from "./request-thread.ts";

serveRequests<DatasetCheckRequest, DatasetCheckOutcome>(runDatasetCheck);
