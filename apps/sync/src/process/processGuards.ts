import type { Logger } from "../log.ts";

/**
 * The last line of defence: a promise rejected with nobody to handle it would, by Node's default,
 * end the process and every person's connection with it. Each one is a bug (hooks that Hocuspocus
 * does not await are caught before they get here: unawaitedHooks.ts), so it is logged and counted,
 * and the server keeps serving.
 */
export function keepServingOnUnhandledRejections(log: Logger, counted: () => void): () => void {
  const handler = (reason: unknown) => {
    counted();
    log.error(
      { error: String(reason), stack: reason instanceof Error ? reason.stack : undefined },
      "a promise was rejected with nobody to handle it (a bug); serving on",
    );
  };
  process.on("unhandledRejection", handler);
  return () => process.off("unhandledRejection", handler);
}
