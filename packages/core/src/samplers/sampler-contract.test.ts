import { runSamplerContract } from "../testing/index.ts";
import { GridSampler } from "./grid-sampler.ts";
import { QuasiRandomSampler } from "./quasi-random-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import { TpeSampler } from "./tpe-sampler.ts";

runSamplerContract("grid", () => new GridSampler(), { finiteOnly: true, trials: 500 });
runSamplerContract("random", () => new RandomSampler());
runSamplerContract("quasi_random", () => new QuasiRandomSampler());
runSamplerContract("tpe", () => new TpeSampler(), { trials: 60 });
runSamplerContract(
  "tpe (no constant liar, 3 start-up trials)",
  () => new TpeSampler({ constantLiar: false, nStartupTrials: 3 }),
);
runSamplerContract(
  "tpe (multivariate, endpoints)",
  () => new TpeSampler({ multivariate: true, considerEndpoints: true }),
  {
    trials: 60,
  },
);
