/**
 * Regenerates the README's sample output of `pnpm demo` from a real run:
 * `pnpm exec tsx test/cli/update-readme-demo.ts` (needs the Redis of REDIS_URL, default
 * 127.0.0.1:6379). test/cli/readme-demo.test.ts fails when the README and the demo disagree.
 */
import { writeFileSync } from "node:fs";
import { abridge, demoSummary, README, readReadme, runDemo, withDemoBlock } from "./readme-demo.ts";

const block = abridge(demoSummary(await runDemo()));
writeFileSync(README, withDemoBlock(readReadme(), block));
process.stderr.write(`README.md: demo output updated (${block.length} lines)\n`);
