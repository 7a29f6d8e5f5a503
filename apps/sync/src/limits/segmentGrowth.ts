import { messageCount, ROOTS, SEGMENT_CAPACITY } from "@chat/model";
import type * as Y from "yjs";
import type { Write } from "../writes/inspectUpdate.ts";
import type { LimitPolicy } from "./policy.ts";

/** How many message records an update appends to a history segment. */
export function newMessageCount(writes: readonly Write[]): number {
  let count = 0;
  for (const write of writes)
    if (write.op === "insert" && write.root === ROOTS.segment.messages) count += write.values?.length ?? 0;
  return count;
}

/**
 * Bounds what one update adds to a history segment (SECURITY.md, "Limits"): at most
 * `messagesPerUpdate` new messages, and never past SEGMENT_CAPACITY + `segmentSlack` in the segment.
 * Counting updates let one update of 20,000 messages through the per-minute allowance and grew a
 * segment to ten times its capacity, holding up every room on the instance while it was numbered.
 *
 * Updates to one segment from different connections are judged concurrently (the write guard and
 * persistence await between judging an update and applying it), so an admitted update's messages
 * stay counted as in flight until its connection has finished handling it (`release`, from the
 * `afterHandleMessage` hook, which runs whether the update was applied or refused later on). Each
 * document connection handles its messages one at a time, so it has at most one update in flight;
 * it is named by its hook context, one object per document connection that every hook receives.
 */
export class SegmentGrowth {
  private readonly perUpdate: number;
  private readonly ceiling: number;
  /** Messages admitted into each segment and not yet applied. */
  private readonly inFlight = new Map<Y.Doc, number>();
  /** What each document connection's update in flight holds, by its hook context. */
  private readonly held = new Map<object, { document: Y.Doc; count: number }>();

  constructor(
    account: Pick<LimitPolicy["account"], "messagesPerUpdate">,
    documents: Pick<LimitPolicy["documents"], "segmentSlack">,
    capacity = SEGMENT_CAPACITY,
  ) {
    this.perUpdate = account.messagesPerUpdate;
    this.ceiling = capacity + documents.segmentSlack;
  }

  /**
   * Why `count` new messages, sent in one update over `connection`, may not go into the segment, or
   * null: then they count as in flight until `release(connection)`.
   */
  admit(document: Y.Doc, connection: object, count: number): string | null {
    this.release(connection);
    if (count === 0) return null;
    if (count > this.perUpdate) return `at most ${this.perUpdate} new messages in one update, not ${count}`;
    const inFlight = this.inFlight.get(document) ?? 0;
    if (messageCount(document) + inFlight + count > this.ceiling)
      return `this history segment is full (at most ${this.ceiling} messages): write in the newest one`;
    this.inFlight.set(document, inFlight + count);
    this.held.set(connection, { document, count });
    return null;
  }

  /** The connection has finished handling its update: its messages are in the segment, or refused. */
  release(connection: object): void {
    const held = this.held.get(connection);
    if (!held) return;
    this.held.delete(connection);
    const left = (this.inFlight.get(held.document) ?? 0) - held.count;
    if (left > 0) this.inFlight.set(held.document, left);
    else this.inFlight.delete(held.document);
  }
}
