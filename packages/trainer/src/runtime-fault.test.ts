import { HpoError } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { RuntimeFault, runtimeFaultOf } from "./runtime-fault.ts";

/** The error a wasm trap throws (WebAssembly is a Node global; the compiler's lib has no DOM types). */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly
  .RuntimeError;

describe("runtimeFaultOf", () => {
  it("classifies wasm aborts, wasm traps, failed allocations and a thread out of JS heap as runtime faults", () => {
    const cases: [unknown, string, RegExp][] = [
      [
        new WasmRuntimeError("Aborted(). Build with -sASSERTIONS for more info."),
        "wasm-abort",
        /^out of memory: the tfjs wasm runtime aborted \("Aborted\(\)/,
      ],
      ["Aborted(OOM)", "wasm-abort", /^out of memory: /],
      [
        new WasmRuntimeError("memory access out of bounds"),
        "wasm-trap",
        /^out of memory: wasm memory access out of bounds \(an allocation past the wasm heap's 4 GB failed\)$/,
      ],
      [
        Object.assign(new Error("memory access out of bounds"), { name: "RuntimeError" }),
        "wasm-trap",
        /^out of memory: /,
      ],
      [new WasmRuntimeError("unreachable"), "wasm-trap", /^runtime fault: wasm unreachable$/],
      [
        new RangeError("Array buffer allocation failed"),
        "allocation",
        /^out of memory: Array buffer allocation failed$/,
      ],
      [
        new RangeError("Invalid typed array length: 4294967296"),
        "allocation",
        /^out of memory: Invalid typed array length/,
      ],
      [new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded"), "allocation", /^out of memory: /],
      [
        Object.assign(new Error("Worker terminated due to reaching memory limit: JS heap out of memory"), {
          code: "ERR_WORKER_OUT_OF_MEMORY",
        }),
        "thread-exit",
        /^out of memory: the training thread ran out of JS heap/,
      ],
    ];
    for (const [error, kind, message] of cases) {
      const fault = runtimeFaultOf(error);
      expect(fault, String(error)).toBeInstanceOf(RuntimeFault);
      expect(fault?.kind, String(error)).toBe(kind);
      expect(fault?.message, String(error)).toMatch(message);
    }
    const fault = new RuntimeFault("thread-exit", "x");
    expect(runtimeFaultOf(fault)).toBe(fault);
    const copy = Object.assign(new Error("out of memory: y"), { name: "RuntimeFault", kind: "allocation" });
    expect(runtimeFaultOf(copy)).toMatchObject({ kind: "allocation", message: "out of memory: y" });
  });

  it("leaves the trial's own errors alone", () => {
    for (const error of [
      new HpoError("INVALID_SPEC", 'trial parameter "dropout": expected a number in [0, 1), got 2'),
      new HpoError("INVALID_DATASET", 'dataset "x.csv": row 3 has 2 columns, expected 5'),
      new Error("stub trainer exploded"),
      new RangeError("Maximum call stack size exceeded"),
      new TypeError("Cannot read properties of undefined (reading 'shape')"),
      "a string",
      undefined,
    ]) {
      expect(runtimeFaultOf(error), String(error)).toBeUndefined();
    }
  });
});
