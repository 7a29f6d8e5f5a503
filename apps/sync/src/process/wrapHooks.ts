import type { Extension } from "@hocuspocus/server";

/**
 * Replaces each of the extension's `hooks` it has with `around(hook, call)`, where `call` runs the
 * original on the payload: one way to put behaviour around an extension's hooks from outside it
 * (unawaitedHooks.ts, refusalCounts.ts).
 */
export function wrapHooks<T extends Extension>(
  extension: T,
  hooks: readonly string[],
  around: (hook: string, call: () => Promise<unknown>) => Promise<unknown>,
): T {
  const methods = extension as unknown as Record<string, unknown>;
  for (const hook of hooks) {
    const original = methods[hook];
    if (typeof original !== "function") continue;
    methods[hook] = (payload: unknown) => around(hook, async () => original.call(extension, payload));
  }
  return extension;
}
