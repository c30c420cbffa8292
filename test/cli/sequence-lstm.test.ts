import { describe, expect, it } from "vitest";
import { runExample, upForExamples } from "./example-sweep.ts";

/**
 * examples/sequence-lstm.yaml (a grid over the recurrent cell type, `type: { param: cell }`, on the
 * adding problem) through `hpo up` + `hpo submit --watch`, with small sizes: 600 sequences of 30
 * steps, 2 folds, one trial per cell of 16 units, 5 epochs, on the workers' default backend (wasm).
 */
describe("examples/sequence-lstm.yaml end to end", () => {
  const up = upForExamples("sequence-lstm", ["--workers", "1"]);

  it("sweeps the cell type; the simple RNN is flagged for vanishing gradients, LSTM and GRU learn", async () => {
    const { sweepId, trials } = await runExample(up(), "sequence-lstm.yaml", (spec) => {
      spec.dataset.rows = 600;
      spec.dataset.timesteps = 30;
      spec.cv.folds = 2;
      spec.parameters.units = { value: 16 };
      spec.parameters.learning_rate = { value: 0.01 };
      spec.budget = { max_parallel: 1, max_epochs: 5 };
    });
    expect(trials.map((t) => t.params.cell).sort()).toEqual(["gru", "lstm", "simple_rnn"]);
    const byCell = new Map(trials.map((t) => [t.params.cell as string, t]));
    for (const t of trials) {
      expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
      const fold = (await up().store.getTrial(sweepId, t.id))?.curve.at(-1)?.folds[0] as Record<string, number>;
      for (const k of [`grad_norm/${t.params.cell}_0`, "grad_norm/output", "time_grad_first", "time_grad_last"])
        expect(fold[k], `${t.id} ${k} in ${Object.keys(fold).join(" ")}`).toBeGreaterThan(0);
    }
    const rnn = byCell.get("simple_rnn");
    expect(rnn?.flags).toContain("vanishing_gradients");
    // the gated cells learn to carry the gradient back (the GRU later than the LSTM)
    for (const cell of ["lstm", "gru"]) {
      expect(byCell.get(cell)?.flags, cell).not.toContain("vanishing_gradients");
      expect(byCell.get(cell)?.mean, cell).toBeGreaterThan((rnn?.mean ?? 0) + 0.3);
    }
  }, 900_000);
});
