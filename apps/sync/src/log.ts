/**
 * Structured logs: one JSON object per line on stdout (stderr for errors), so any log collector can
 * read them. The call shape matches pino's (`log.info(fields, message)`).
 */
export type Fields = Record<string, unknown>;

export interface Logger {
  info(fields: Fields, message: string): void;
  warn(fields: Fields, message: string): void;
  error(fields: Fields, message: string): void;
}

export function createLogger(options: { quiet?: boolean } = {}): Logger {
  const write = (level: string, fields: Fields, message: string) => {
    if (options.quiet && level !== "error") return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
    (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    info: (fields, message) => write("info", fields, message),
    warn: (fields, message) => write("warn", fields, message),
    error: (fields, message) => write("error", fields, message),
  };
}
