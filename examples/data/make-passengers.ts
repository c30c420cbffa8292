/**
 * Writes examples/data/passengers.csv: 800 synthetic passengers of a made-up ship (no real
 * person), with the mess real tabular data has: text columns, integer codes, empty cells, "NA"
 * and "?", a high-cardinality column, an id column to ignore, and a 0/1 label with about a third
 * positive. Seeded (core's mulberry32 rng, seed 20261206): the file is reproducible.
 *   pnpm exec tsx examples/data/make-passengers.ts
 */
import { writeFileSync } from "node:fs";
import { createRng } from "../../packages/core/src/rng.ts";

const rng = createRng(20261206);
const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (const [i, w] of weights.entries()) {
    u -= w;
    if (u <= 0) return items[i] as T;
  }
  return items.at(-1) as T;
};
const lines = ["passenger_id,age,sex,pclass,embarked,fare,deck,ticket_prefix,survived"];
for (let i = 0; i < 800; i++) {
  const pclass = pick([1, 2, 3], [0.25, 0.25, 0.5]);
  const sex = pick(["female", "male"], [0.36, 0.64]);
  const age = Math.max(0.5, 30 + 14 * rng.normal() - 4 * (pclass === 3 ? 1 : 0));
  const embarked = pick(["S", "C", "Q", ""], [0.7, 0.18, 0.1, 0.02]);
  const fare = Math.max(4, (pclass === 1 ? 80 : pclass === 2 ? 22 : 11) * Math.exp(0.45 * rng.normal()));
  const deck =
    pclass === 1
      ? pick(["A", "B", "C", "D", "E"], [1, 2, 3, 2, 1])
      : rng.next() < 0.15
        ? pick(["D", "E", "F", "G"], [1, 2, 2, 1])
        : "";
  const ticket = rng.next() < 0.6 ? "" : `T${pick(["A", "B", "C", "P", "S", "W"], [3, 2, 2, 1, 2, 1])}${rng.int(1, 9)}`;
  // the label: sex, class, age, port, fare, and noise
  const z =
    -0.6 +
    (sex === "female" ? 2.4 : 0) -
    0.9 * (pclass - 1) -
    0.025 * (age - 30) +
    (embarked === "C" ? 0.4 : 0) +
    0.004 * fare +
    0.8 * rng.normal();
  const survived = z > 0 ? 1 : 0;
  const ageCell = rng.next() < 0.18 ? pick(["", "NA"], [3, 1]) : age.toFixed(age < 1 ? 2 : 0);
  const fareCell = rng.next() < 0.03 ? "?" : fare.toFixed(2);
  lines.push([1001 + i, ageCell, sex, pclass, embarked, fareCell, deck, ticket, survived].join(","));
}
writeFileSync(new URL("./passengers.csv", import.meta.url), `${lines.join("\n")}\n`);
