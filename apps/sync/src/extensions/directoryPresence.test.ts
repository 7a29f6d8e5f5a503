import { DIRECTORY_PRESENCE_PACE, type PaceClock, paceAwareness } from "@chat/model";
import { describe, expect, it } from "vitest";
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from "y-protocols/awareness";
import * as Y from "yjs";

/**
 * A clock moved by hand: y-protocols stamps states with the real Date.now, so "later" is that plus
 * what the test has let pass; the checks run when the test says so (y-protocols' own timers, 3 s
 * apart, never get a turn in these tests).
 */
function handClock() {
  let passed = 0;
  const checks: Array<() => void> = [];
  const clock: PaceClock = {
    now: () => Date.now() + passed,
    repeat: (check) => {
      checks.push(check);
      return 0;
    },
  };
  const pass = (ms: number, stepMs = 30_000) => {
    for (let done = 0; done < ms; done += stepMs) {
      passed += Math.min(stepMs, ms - done);
      for (const check of checks) check();
    }
  };
  return { clock, pass };
}

/** Two devices' awareness, the second told of every update of the first. */
function pair() {
  const a = new Awareness(new Y.Doc());
  const b = new Awareness(new Y.Doc());
  let sent = 0;
  a.on("update", ({ added, updated, removed }: Record<string, number[]>) => {
    sent++;
    applyAwarenessUpdate(b, encodeAwarenessUpdate(a, [...added!, ...updated!, ...removed!]), "a");
  });
  return { a, b, sent: () => sent };
}

describe("the directory's presence pace", () => {
  it("renews every few minutes, not every 15 s, and keeps others' states that long", () => {
    const { clock, pass } = handClock();
    const { a, b, sent } = pair();
    paceAwareness(a, DIRECTORY_PRESENCE_PACE, removeAwarenessStates, clock);
    paceAwareness(b, DIRECTORY_PRESENCE_PACE, removeAwarenessStates, clock);
    a.setLocalState({ user: { id: "u1" } });
    const first = sent();
    pass(60_000); // y-protocols would have renewed 4 times by now, and dropped a's state after 30 s
    expect(sent()).toBe(first);
    expect(b.getStates().has(a.clientID)).toBe(true);
    pass(DIRECTORY_PRESENCE_PACE.renewMs);
    expect(sent()).toBe(first + 1);
    expect(b.getStates().has(a.clientID)).toBe(true);
  });

  it("drops a peer that stopped renewing once outdated", () => {
    const { clock, pass } = handClock();
    const { a, b } = pair();
    paceAwareness(b, DIRECTORY_PRESENCE_PACE, removeAwarenessStates, clock);
    a.setLocalState({ user: { id: "u1" } });
    clearInterval(a._checkInterval); // a went without a word: no renewals, no goodbye
    pass(DIRECTORY_PRESENCE_PACE.outdatedMs - 60_000);
    expect(b.getStates().has(a.clientID)).toBe(true);
    pass(120_000);
    expect(b.getStates().has(a.clientID)).toBe(false);
    for (const awareness of [a, b]) awareness.destroy();
  });
});
