import { isDraftRoot } from "./drafts.ts";
import { type DocRef, ROOTS } from "./schema.ts";

/**
 * Who writes each root of each document (docs/architecture.md, "Who writes which document"), as data: the server's write
 * rules (apps/sync writes/rules.ts) refuse a client's write to a root the table gives the server, and a
 * client can ask before writing. The table says who; what each of them may put there (a member's own
 * read marker, a message in their own name…) is checked value by value by the server's rules.
 *
 * - "server": only the server writes it; a client's write is refused.
 * - "owner": the owner of the user index, on any of their devices.
 * - "members": each member of the room, as themselves.
 */
export type RootWriter = "server" | "owner" | "members";

export const ROOT_WRITERS = {
  directory: { users: "server", rooms: "server" },
  room: { meta: "server", members: "server", reads: "members", segments: "server" },
  segment: { messages: "members", seq: "server", times: "server", edits: "members", reactions: "members" },
  user: { rooms: "server", mentions: "server", drafts: "owner", settings: "owner", notify: "owner" },
} as const satisfies { [Kind in DocRef["kind"]]: Record<keyof (typeof ROOTS)[Kind], RootWriter> };

/** The roots of a kind of document that clients write (each has its per-value rule on the server). */
export type ClientWrittenRoot<Kind extends DocRef["kind"]> = {
  [Root in keyof (typeof ROOT_WRITERS)[Kind]]: (typeof ROOT_WRITERS)[Kind][Root] extends "server"
    ? never
    : Root;
}[keyof (typeof ROOT_WRITERS)[Kind]];

/** The table by root name (a root's name in the document, ROOTS[kind][key]). */
const WRITERS_BY_NAME = new Map(
  (Object.keys(ROOT_WRITERS) as DocRef["kind"][]).map((kind) => {
    const roots: Record<string, string> = ROOTS[kind];
    const writers: Record<string, RootWriter> = ROOT_WRITERS[kind];
    return [kind, new Map(Object.keys(writers).map((key) => [roots[key]!, writers[key]!]))] as const;
  }),
);

/**
 * Who writes the root named `root` of a document of this kind. Each room's draft text in the user
 * index (a root of its own, drafts.ts) is the owner's; a root the schema does not name is nobody's
 * but the server's, so a client's write to it is refused.
 */
export function rootWriter(kind: DocRef["kind"], root: string): RootWriter {
  if (kind === "user" && isDraftRoot(root)) return "owner";
  return WRITERS_BY_NAME.get(kind)?.get(root) ?? "server";
}

/** Whether a client writes this root at all (what it writes there is then checked value by value). */
export function clientWrites(kind: DocRef["kind"], root: string): boolean {
  return rootWriter(kind, root) !== "server";
}
