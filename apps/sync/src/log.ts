import { pino } from "pino";

/**
 * Structured logs: pino, one JSON object per line on stdout, so any log collector can read them.
 * LOG_LEVEL sets the level (info by default; "error" for quiet tests).
 */
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(fields: Fields, message: string): void;
  info(fields: Fields, message: string): void;
  warn(fields: Fields, message: string): void;
  error(fields: Fields, message: string): void;
}

export function createLogger(options: { level?: string } = {}): Logger {
  return pino({ level: options.level ?? "info", base: { service: "chat-sync" } });
}
