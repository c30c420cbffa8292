import type { Params, ParamValue } from "../types.ts";
import { activeParams } from "./active-params.ts";
import { sampleDistribution } from "./sample-distribution.ts";
import type { SampleContext, Sampler } from "./sampler.ts";

/**
 * Independent draws from each parameter's distribution with ctx.rng (uniform; log-uniform in log
 * space; int_uniform inclusive; q_uniform on its grid min + k·q). Every parameter is drawn, in
 * spec order, then inactive conditional ones are dropped, so the stream never shifts.
 */
export class RandomSampler implements Sampler {
  readonly name = "random";

  sample(ctx: SampleContext): Params {
    const values: Record<string, ParamValue> = {};
    for (const [name, p] of Object.entries(ctx.spec.parameters))
      values[name] = sampleDistribution(p.distribution, ctx.rng);
    return activeParams(ctx.spec.parameters, values);
  }
}
