import { draftCount } from "@chat/model";
import type * as Y from "yjs";
import type { MessageLookup } from "./rules.ts";

/** What the caps on the user index and the room read from the document before the update (no root is created). */
export function documentFacts(
  document: Y.Doc,
): Required<
  Pick<MessageLookup, "textLength" | "hasRoot" | "draftCount" | "mapSize" | "mapHas" | "keysWithPrefix">
> {
  const rootMap = (root: string) => document.share.get(root)?._map;
  const liveKeys = (root: string) =>
    [...(rootMap(root)?.entries() ?? [])].filter(([, item]) => !item.deleted).map(([key]) => key);
  return {
    textLength: (root) => document.share.get(root)?._length ?? 0,
    hasRoot: (root) => document.share.has(root),
    draftCount: () => draftCount(document),
    mapSize: (root) => liveKeys(root).length,
    keysWithPrefix: (root, prefix) => liveKeys(root).filter((key) => key.startsWith(prefix)).length,
    mapHas: (root, key) => {
      const item = rootMap(root)?.get(key);
      return item !== undefined && !item.deleted;
    },
  };
}
