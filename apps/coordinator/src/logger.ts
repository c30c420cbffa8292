import { type Logger, pino } from "pino";

/** The pino logger of the coordinator (JSON lines on stdout). `level` defaults to "info". */
export function createLogger(name: string, level = "info"): Logger {
  return pino({ name, level });
}
