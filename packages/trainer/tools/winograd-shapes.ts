/**
 * The stride-1 convolutions the Winograd tools time (bench-winograd.ts, ab-winograd.ts): LeNet's
 * second conv (one model, batch 64: x [64, 14, 14, 16], 32 filters, `same`) with its 5×5 filter
 * and with a 3×3 one, each as a forward (`of: "output"`) and as an input gradient (`"input"`).
 */
export interface WinogradShape {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly of: "output" | "input";
}

export const WINOGRAD_SHAPES: readonly WinogradShape[] = [
  { name: "5×5 forward", x: [64, 14, 14, 16], filter: [5, 5, 16, 32], of: "output" },
  { name: "5×5 dx", x: [64, 14, 14, 16], filter: [5, 5, 16, 32], of: "input" },
  { name: "3×3 forward", x: [64, 14, 14, 16], filter: [3, 3, 16, 32], of: "output" },
  { name: "3×3 dx", x: [64, 14, 14, 16], filter: [3, 3, 16, 32], of: "input" },
];
