import { observeDraft, readDraft, setDraft } from "@chat/model";
import type { Accessor } from "solid-js";
import type { DocHandle } from "../sync/docs";
import { observed } from "./signals";

/**
 * A room's draft in the person's own `user:<id>` document (model/drafts.ts): kept on the device and
 * synced to their other devices like any change, merging concurrent typing. For the Composer.
 */
export interface DraftBinding {
  text: Accessor<string>;
  set(text: string): void;
}

export function useDraft(index: DocHandle, roomId: string): DraftBinding {
  const text = observed(
    index.doc,
    (doc, callback) => observeDraft(doc, roomId, callback),
    (doc) => readDraft(doc, roomId),
  );
  return { text, set: (value) => setDraft(index.doc, roomId, value) };
}
