import { Document, IncomingMessage, MessageReceiver, OutgoingMessage } from "@hocuspocus/server";
import { afterEach, describe, expect, it } from "vitest";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { dropScratchEntry } from "./awarenessGuard.ts";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

/** Runs one client awareness message through Hocuspocus as it runs a connection's, with `hook` as beforeHandleAwareness. */
async function receive(
  client: Awareness,
  hook: (states: Map<number, Record<string, unknown>>) => void,
  clients?: number[],
): Promise<Document> {
  const document = new Document("doc");
  cleanup.push(() => document.destroy());
  document.beforeHandleAwareness(async (_document, states) => hook(states));
  const bytes = new OutgoingMessage("doc").createAwarenessUpdateMessage(client, clients).toUint8Array();
  const message = new IncomingMessage(bytes);
  message.writeVarString(message.readVarString());
  await new MessageReceiver(message).apply(document, undefined);
  return document;
}

function clientAwareness(): Awareness {
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  cleanup.push(() => doc.destroy());
  return awareness;
}

describe("the scratch entry of Hocuspocus's awareness handling", () => {
  it("comes first, as `{}` under an id the message does not carry (if this fails, revisit dropScratchEntry)", async () => {
    const client = clientAwareness();
    client.setLocalStateField("typing", true);
    let seen: Array<[number, unknown]> = [];
    await receive(client, (states) => {
      seen = [...states];
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]![0]).not.toBe(client.clientID);
    expect(seen[0]![1]).toEqual({});
    expect(seen[1]).toEqual([client.clientID, { typing: true }]);
  });

  it("is dropped, so only the sender's states are applied and relayed", async () => {
    const client = clientAwareness();
    client.setLocalStateField("typing", true);
    const document = await receive(client, dropScratchEntry);
    expect([...document.awareness.getStates()]).toEqual([[client.clientID, { typing: true }]]);
  });

  it("leaves a message that only removes states empty (removals never reach the hook)", async () => {
    const client = clientAwareness();
    const other = 123_456;
    client.setLocalStateField("typing", true);
    // A provider relays y-protocols' timeout of another client's state as a removal.
    client.states.set(other, { typing: true });
    client.meta.set(other, { clock: 3, lastUpdated: 0 });
    client.states.delete(other);
    let seen: Array<[number, unknown]> = [];
    await receive(
      client,
      (states) => {
        dropScratchEntry(states);
        seen = [...states];
      },
      [other],
    );
    expect(seen).toEqual([]);
  });
});
