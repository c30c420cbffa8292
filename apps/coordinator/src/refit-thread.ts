/** Refit thread entry (see refits.ts): trains and exports one config per request, off the event loop. */

import { type RefitReply, type RefitRequest, runRefit } from "./refit-run.ts";
import { serveRequests } from "./request-thread.ts";

serveRequests<RefitRequest, RefitReply>(runRefit);
