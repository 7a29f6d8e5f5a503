import { observeMessages, parseDocName, unsequencedMessages } from "@chat/model";
import { type Accessor, createSignal } from "solid-js";
import type * as Y from "yjs";

/**
 * Counts this person's messages that the server has not sequenced yet (shown "Pending"), across every
 * open history segment: the "N pending" next to the connection state. A message is pending until its
 * sequence number arrives, which the server gives only once it has stored the message.
 */
export interface PendingTracker {
  readonly count: Accessor<number>;
  /** For the document registry's `onDocument`: starts counting in a segment, returns the stop. */
  track(name: string, doc: Y.Doc): (() => void) | undefined;
}

export function createPendingTracker(myId: string): PendingTracker {
  const perDoc = new Map<string, number>();
  const [count, setCount] = createSignal(0);
  const publish = () => {
    let total = 0;
    for (const n of perDoc.values()) total += n;
    setCount(total);
  };
  return {
    count,
    track(name, doc) {
      if (parseDocName(name)?.kind !== "segment") return undefined;
      const recount = () => {
        let mine = 0;
        for (const message of unsequencedMessages(doc)) if (message.author === myId) mine++;
        if ((perDoc.get(name) ?? 0) !== mine) {
          perDoc.set(name, mine);
          publish();
        }
      };
      const stop = observeMessages(doc, recount);
      recount();
      return () => {
        stop();
        perDoc.delete(name);
        publish();
      };
    },
  };
}
