import { format } from "node:util";
import type { Logger } from "../log.ts";

/** Errors thrown to refuse a client (context.ts): expected events, logged once where they are thrown. */
const isRefusal = (value: unknown): boolean =>
  value instanceof Error && (value as { refusal?: unknown }).refusal === true;

/**
 * Hocuspocus writes to the console: every connection it closes for an exception, with the whole
 * stack, and every hook that threw, as "[hookName] message". A refused write is such an exception,
 * so one socket sending forbidden writes printed a stack per frame (megabytes in seconds), whatever
 * LOG_LEVEL said. Here the console goes through the server's logger instead: refusals (already
 * logged once, with the person and the document, where they were refused) and the hook echo at
 * debug; a connection closed for a frame that could not be handled at warn; anything else at
 * error. Always one line.
 */
export function routeConsoleToLog(
  log: Logger,
  target: Pick<Console, "error" | "warn"> = console,
): () => void {
  const original = { error: target.error, warn: target.warn };
  // An error shows as its name and message: a stack per refused frame is what flooded the log.
  const line = (args: unknown[]) =>
    format(...args.map((arg) => (arg instanceof Error ? String(arg) : arg))).replace(/\s*\n\s*/g, " | ");
  target.error = (...args: unknown[]) => {
    if (args.some(isRefusal) || isHookEcho(args)) log.debug({ source: "hocuspocus" }, line(args));
    // A frame that could not be handled: a client's bad input far more often than our bug.
    else if (isClosingConnection(args)) log.warn({ source: "hocuspocus" }, line(args));
    else {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      log.error({ source: "hocuspocus", stack: error?.stack }, line(args));
    }
  };
  target.warn = (...args: unknown[]) => log.warn({ source: "hocuspocus" }, line(args));
  return () => Object.assign(target, original);
}

/**
 * Hocuspocus's "[hookName] message" line for a hook that threw: the same error reaches the caller
 * of the hook (which refuses the client, or logs it itself), so this copy adds nothing.
 */
const isHookEcho = (args: unknown[]): boolean =>
  args.length === 2 && typeof args[0] === "string" && /^\[[A-Za-z]+\]$/.test(args[0]);

const isClosingConnection = (args: unknown[]): boolean =>
  typeof args[0] === "string" && args[0].startsWith("closing connection ");
