/** Fleet resource: workers, queue depth by state and throughput. */
import { request } from "./client.ts";
import type { Fleet } from "./types.ts";

export function getFleet(): Promise<Fleet> {
  return request<Fleet>("/api/dashboard/fleet");
}
