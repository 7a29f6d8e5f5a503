import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff.ts";
import { SerialQueues } from "./serialQueues.ts";

describe("SerialQueues", () => {
  it("runs the tasks of one key one after another, other keys alongside, past failures", async () => {
    const queues = new SerialQueues<string>();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queues.run("a", async () => {
      events.push("a1 start");
      await gate;
      events.push("a1 end");
      throw new Error("a1 failed");
    });
    const second = queues.run("a", () => {
      events.push("a2");
      return 2;
    });
    const other = queues.run("b", () => {
      events.push("b1");
      return "b";
    });
    expect(await other).toBe("b");
    expect(events).toEqual(["a1 start", "b1"]);
    release();
    await expect(first).rejects.toThrow("a1 failed");
    expect(await second).toBe(2);
    await queues.idle("a");
    expect(events).toEqual(["a1 start", "b1", "a1 end", "a2"]);
  });

  it("is idle at once for a key with nothing queued", async () => {
    await new SerialQueues<string>().idle("nothing");
  });
});

describe("backoffMs", () => {
  it("doubles from the first wait up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffMs(1_000, failures, 30_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000,
    ]);
    expect(backoffMs(1_000, 10_000, 30_000)).toBe(30_000);
  });
});
