export { ApiClient, type ApiClientOptions, type TrialQuery } from "./api-client.ts";
export { type CliConfig, DEFAULT_URL, resolveConfig } from "./config.ts";
export { EXIT, exitCodeFor, formatError } from "./exit-code.ts";
export { createProgram } from "./program.ts";
export { type Stack, type StackOptions, startStack } from "./stack.ts";
