import type { Extension } from "@hocuspocus/server";
import { wrapHooks } from "./wrapHooks.ts";

/**
 * Hooks Hocuspocus calls without awaiting what they return. A rejection from one of them has nobody
 * to handle it (Node ends the process on an unhandled rejection by default), and it also skips the
 * same hook of every extension after it in Hocuspocus's chain.
 */
const UNAWAITED_HOOKS = ["onChange", "onAwarenessUpdate", "beforeBroadcastStateless"] as const;

export type HookFailure = (failure: { hook: string; extension: string; error: unknown }) => void;

/**
 * Makes the extension's unawaited hooks report a failure to `failed` instead of rejecting, so no
 * extension can leave a promise unhandled, whatever its own code does.
 */
export function catchUnawaitedHooks<T extends Extension>(extension: T, failed: HookFailure): T {
  return wrapHooks(extension, UNAWAITED_HOOKS, async (hook, call) => {
    try {
      await call();
    } catch (error) {
      failed({ hook, extension: extension.extensionName ?? extension.constructor.name, error });
    }
  });
}
