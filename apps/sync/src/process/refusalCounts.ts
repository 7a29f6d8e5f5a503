import type { Extension } from "@hocuspocus/server";
import { wrapHooks } from "./wrapHooks.ts";

/** The hooks in which the server refuses a client: opening a document, writing to it. */
const REFUSING_HOOKS = ["onAuthenticate", "beforeSync"] as const;

/**
 * Counts each refusal thrown from an extension's refusing hooks by its label (`metricLabel` of the
 * refusal classes in context.ts: `open-forbidden`, `write-forbidden`, `rate-limited`…) and lets it
 * go on to Hocuspocus as before. One place, so a new refusal is counted without its thrower knowing
 * about metrics. (Presence the awareness guard leaves out or refuses is counted there, by finer
 * reasons: nothing of it is thrown for most of them.)
 */
export function countRefusals<T extends Extension>(extension: T, refused: (label: string) => void): T {
  return wrapHooks(extension, REFUSING_HOOKS, async (_hook, call) => {
    try {
      return await call();
    } catch (error) {
      const label = (error as { metricLabel?: unknown } | null)?.metricLabel;
      if (typeof label === "string") refused(label);
      throw error;
    }
  });
}
