import type { Extension } from "@hocuspocus/server";
import { describe, expect, it } from "vitest";
import { ForbiddenWrite, Refusal } from "../context.ts";
import type { Fields, Logger } from "../log.ts";
import { routeConsoleToLog } from "./consoleToLog.ts";
import { keepServingOnUnhandledRejections } from "./processGuards.ts";
import { countRefusals } from "./refusalCounts.ts";
import { catchUnawaitedHooks } from "./unawaitedHooks.ts";

function recordingLog() {
  const lines: Array<{ level: string; fields: Fields; message: string }> = [];
  const at =
    (level: string) =>
    (fields: Fields, message: string): void => {
      lines.push({ level, fields, message });
    };
  const log: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

describe("the console through the logger", () => {
  it("a refusal Hocuspocus prints is one debug line without a stack; a bug is an error with its stack", () => {
    const { log, lines } = recordingLog();
    const target = { error: (..._: unknown[]) => {}, warn: (..._: unknown[]) => {} };
    const restore = routeConsoleToLog(log, target);
    target.error(
      "closing connection abc (while handling room:x/0) because of exception",
      new ForbiddenWrite("no"),
    );
    target.error("[beforeSync]", "no");
    target.error(
      "closing connection abc (while handling room:x/0) because of exception",
      new Error("Unexpected end of array"),
    );
    target.error("Caught error during storeDocumentHooks.", new TypeError("x is undefined"));
    restore();
    expect(lines.map((l) => l.level)).toEqual(["debug", "debug", "warn", "error"]);
    expect(lines.every((l) => !l.message.includes("\n"))).toBe(true);
    expect(lines[0]!.message).toMatch(/because of exception Error: no$/);
    expect(lines[3]!.fields.stack).toMatch(/TypeError: x is undefined\n\s+at /);
  });
});

describe("hooks nobody awaits", () => {
  it("a failing onChange is reported, never rejected", async () => {
    const failures: unknown[] = [];
    const extension: Extension = catchUnawaitedHooks(
      {
        extensionName: "broken",
        async onChange() {
          throw new Error("bug");
        },
        async onLoadDocument() {
          throw new Error("awaited: left as it is");
        },
      },
      (failure) => failures.push(failure),
    );
    await expect(extension.onChange!({} as never)).resolves.toBeUndefined();
    expect(failures).toEqual([{ hook: "onChange", extension: "broken", error: new Error("bug") }]);
    await expect(extension.onLoadDocument!({} as never)).rejects.toThrow("awaited");
  });

  it("an unhandled rejection anywhere is logged and counted, and the process goes on", async () => {
    const { log, lines } = recordingLog();
    let counted = 0;
    const stop = keepServingOnUnhandledRejections(log, () => counted++);
    void Promise.reject(new Error("nobody handles me"));
    await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(counted).toBe(1);
    expect(lines[0]).toMatchObject({ level: "error", fields: { error: "Error: nobody handles me" } });
  });
});

describe("refusals counted", () => {
  it("by the label of what was thrown, still thrown; failures that are not refusals are not counted", async () => {
    const labels: string[] = [];
    let next: Error = new ForbiddenWrite("no");
    const extension: Extension = countRefusals(
      {
        async beforeSync() {
          throw next;
        },
        async onAuthenticate() {
          throw new Refusal("forbidden");
        },
      },
      (label) => labels.push(label),
    );
    await expect(extension.beforeSync!({} as never)).rejects.toBe(next);
    await expect(extension.onAuthenticate!({} as never)).rejects.toThrow("forbidden");
    next = new Error("a bug");
    await expect(extension.beforeSync!({} as never)).rejects.toThrow("a bug");
    expect(labels).toEqual(["write-forbidden", "open-forbidden"]);
  });
});
