import { listMessages, messageCount, observeMessages } from "@chat/model";
import { TAIL_SIZE, tailNewest, writeTail } from "../device/roomTail";
import type { DocHandle } from "./docs";

/**
 * Keeps the cached tail (device/roomTail.ts) of a room that is not on screen up to date from its newest
 * segment, which the background sync holds anyway: so the first time a room is opened on this
 * device after its messages arrived, its latest messages show at once, without decoding the segment.
 *
 * Cheap on purpose: a change is written after a quiet moment, in idle time, and only when the
 * segment's newest message differs from the stored tail's. A segment with fewer than a screenful
 * of messages after older ones (just after a seal) is left to the room view, which reads those too.
 */
const QUIET_MS = 2_000;

export function keepTail(
  scope: string,
  roomId: string,
  segment: DocHandle,
  isOnlySegment: () => boolean,
  htmlFor: (text: string) => string | undefined,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const write = () => {
    if (stopped || segment.doc.isDestroyed) return;
    const count = messageCount(segment.doc);
    if (count === 0 || (count < TAIL_SIZE && !isOnlySegment())) return;
    const messages = listMessages(segment.doc);
    const stored = tailNewest(scope, roomId);
    const newest = messages[messages.length - 1];
    if (stored && stored.id === newest?.id && stored.count === Math.min(TAIL_SIZE, messages.length)) return;
    writeTail(scope, roomId, messages, { shown: false, htmlFor });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (typeof requestIdleCallback === "function") requestIdleCallback(write, { timeout: 10_000 });
      else write();
    }, QUIET_MS);
  };
  const stop = observeMessages(segment.doc, schedule);
  void segment.whenLoaded.then(schedule);
  return () => {
    stopped = true;
    clearTimeout(timer);
    stop();
  };
}
