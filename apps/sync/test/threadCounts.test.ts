import { type CountedMessage, countThreadUnread, countUnread, newId, threadFollowers } from "@chat/model";
import { seededRandom } from "@chat/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { Database } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open.ts";
import {
  entriesForRoom,
  recordEdit,
  recordRead,
  recordSequenced,
  recountMembers,
} from "../src/userIndex/queries.ts";
import {
  recordReplies,
  recordThreadRead,
  threadEntries,
  threadEntriesForUser,
} from "../src/userIndex/threadQueries.ts";
import { createStorage, type TestStorage } from "./harness.ts";

/**
 * Threads' counts come from SQL (userIndex/threadQueries.ts), the rooms' too (queries.ts); the model
 * says what they must be (countUnread leaves replies out of the room unless also sent to it,
 * countThreadUnread counts a thread for its followers, threadFollowers says who follows). Random
 * histories of messages, replies (some also sent to the room), edits, deletions, reads of rooms and
 * threads, and members leaving: the counts in the index equal the counts computed from the history.
 */
let storage: TestStorage;
let db: Database;

beforeAll(async () => {
  storage = await createStorage();
  db = await openDatabase(loadConfig({ ...storage.env, PORT: "0", HOST: "127.0.0.1", WEB_DIST: "" }));
});

afterAll(async () => {
  await db?.close();
  await storage?.dispose();
});

interface Person {
  id: string;
  username: string;
}

type Message = CountedMessage & {
  id: string;
  threadRoot?: string;
  alsoInRoom?: true;
  recordedMentions: string[];
};

interface History {
  roomId: string;
  members: Set<string>;
  messages: Message[];
  reads: Map<string, number>;
  /** `${userId}/${rootId}` → read position in the thread. */
  threadReads: Map<string, number>;
}

async function addPeople(count: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId();
    const person = { id, username: `t${id.slice(0, 8)}`.toLowerCase() };
    await db.query("insert into users (id, username, display_name, password_hash) values ($1, $2, $2, 'x')", [
      person.id,
      person.username,
    ]);
    people.push(person);
  }
  return people;
}

async function randomHistory(random: () => number, people: readonly Person[]): Promise<History> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const roomId = newId();
  await db.query(
    "insert into rooms (id, kind, name, name_key, created_by) values ($1, 'channel', $1, $1, $2)",
    [roomId, people[0]!.id],
  );
  const members = new Set(people.filter((_, i) => i === 0 || random() < 0.8).map((p) => p.id));
  for (const member of members)
    await db.query("insert into room_members (room_id, user_id, added_by) values ($1, $2, $2)", [
      roomId,
      member,
    ]);
  await recountMembers(db, roomId, null);
  const someMentions = () => [...new Set(people.filter(() => random() < 0.25).map((p) => p.username))];

  const messages: Message[] = [];
  const count = 5 + Math.floor(random() * 40);
  for (let seq = 1; seq <= count; seq++) {
    const line = random() < 0.08;
    const roots = messages.filter((m) => m.threadRoot === undefined && m.event === undefined);
    const reply = !line && roots.length > 0 && random() < 0.45;
    const mentions = line ? [] : someMentions();
    messages.push({
      id: newId(),
      seq,
      author: pick(people).id,
      mentions,
      recordedMentions: mentions,
      deleted: false,
      ...(line ? { event: { type: "member-added" as const, userId: pick(people).id } } : {}),
      ...(reply
        ? { threadRoot: pick(roots).id, ...(random() < 0.3 ? { alsoInRoom: true as const } : {}) }
        : {}),
    });
  }
  const history: History = { roomId, members, messages, reads: new Map(), threadReads: new Map() };
  const recorded = messages.filter((m) => m.event === undefined);
  for (let from = 0; from < recorded.length; ) {
    const batch = recorded.slice(from, from + 1 + Math.floor(random() * 4));
    await recordSequenced(
      db,
      roomId,
      batch.map((m) => ({
        messageId: m.id,
        seq: m.seq!,
        author: m.author,
        mentions: m.mentions,
        threadRoot: m.threadRoot,
        inRoom: m.threadRoot === undefined || m.alsoInRoom === true,
      })),
    );
    const replies = batch.filter((m) => m.threadRoot !== undefined);
    // Like the server: the roots the numbered segment holds are known; the others come from Postgres.
    const known = new Map(
      replies
        .filter(() => random() < 0.5)
        .map((m) => [
          m.threadRoot!,
          { author: messages.find((r) => r.id === m.threadRoot)!.author, preview: "p" },
        ]),
    );
    await recordReplies(
      db,
      roomId,
      replies.map((m) => ({ rootId: m.threadRoot!, author: m.author, mentions: m.mentions })),
      known,
    );
    from += batch.length;
    if (random() < 0.4) await readSome(random, history, batch.at(-1)!.seq!);
  }
  for (const message of recorded) {
    const roll = random();
    if (roll < 0.12) {
      message.deleted = true;
      message.mentions = [];
    } else if (roll < 0.24) message.mentions = someMentions();
    else continue;
    await recordEdit(db, roomId, message.id, { mentions: message.mentions, deleted: message.deleted });
  }
  await readSome(random, history, count);
  // Someone leaves (not the room's creator): their room and their threads leave their index.
  if (random() < 0.4) {
    const leaving = pick([...members].filter((id) => id !== people[0]!.id));
    if (leaving) {
      await db.query("delete from room_members where room_id = $1 and user_id = $2", [roomId, leaving]);
      members.delete(leaving);
    }
  }
  return history;
}

/** Members read the room and some threads, by repeated marks that never move back. */
async function readSome(random: () => number, history: History, upTo: number): Promise<void> {
  const roots = [...new Set(history.messages.flatMap((m) => (m.threadRoot ? [m.threadRoot] : [])))];
  for (const member of history.members) {
    if (random() < 0.5) {
      const seq = Math.floor(random() * (upTo + 1));
      await recordRead(db, history.roomId, member, seq);
      history.reads.set(member, Math.max(history.reads.get(member) ?? 0, seq));
    }
    for (const rootId of roots) {
      if (random() > 0.4) continue;
      const seq = Math.floor(random() * (upTo + 1));
      // Only followers' positions are kept; the expected side ignores the others' too.
      await recordThreadRead(db, history.roomId, rootId, member, seq);
      const key = `${member}/${rootId}`;
      history.threadReads.set(key, Math.max(history.threadReads.get(key) ?? 0, seq));
    }
  }
}

/** Who follows each thread of the history, by the model's rule, among its members now. */
function expectedFollowers(history: History, people: readonly Person[]): Map<string, Set<string>> {
  const byRoot = new Map<string, Set<string>>();
  const roots = new Set(history.messages.flatMap((m) => (m.threadRoot ? [m.threadRoot] : [])));
  for (const rootId of roots) {
    const root = history.messages.find((m) => m.id === rootId)!;
    const replies = history.messages.filter((m) => m.threadRoot === rootId);
    // Following is decided when replies are numbered, by what they (and the root) mentioned then.
    const followers = threadFollowers(
      { author: root.author, mentions: root.recordedMentions },
      replies.map((r) => ({ author: r.author, mentions: r.recordedMentions })),
    );
    const ids = new Set(
      [
        ...followers.userIds,
        ...people.filter((p) => followers.usernames.has(p.username)).map((p) => p.id),
      ].filter((id) => history.members.has(id)),
    );
    byRoot.set(rootId, ids);
  }
  return byRoot;
}

describe("thread counts in SQL", () => {
  it("agree with the model's rules on random histories of messages, replies, reads and leaves", async () => {
    const counted = { threadUnread: 0, threadMentions: 0, follows: 0, roomUnread: 0 };
    for (let seed = 1; seed <= 10; seed++) {
      const random = seededRandom(seed * 7919);
      const people = await addPeople(4);
      const history = await randomHistory(random, people);
      const label = `seed ${seed}`;

      for (const entry of await entriesForRoom(db, history.roomId)) {
        const person = people.find((p) => p.id === entry.userId)!;
        const expected = countUnread(history.messages, person, history.reads.get(person.id) ?? 0);
        expect({ unread: entry.unread, mentions: entry.mentions }, label).toEqual(expected);
        counted.roomUnread += expected.unread;
      }

      const followers = expectedFollowers(history, people);
      const entries = await threadEntries(db, history.roomId, [...followers.keys()]);
      const actual = new Map<string, Set<string>>();
      for (const entry of entries) {
        if (!actual.has(entry.rootId)) actual.set(entry.rootId, new Set());
        actual.get(entry.rootId)!.add(entry.userId);
        const person = people.find((p) => p.id === entry.userId)!;
        const replies = history.messages.filter((m) => m.threadRoot === entry.rootId);
        const expected = countThreadUnread(
          replies,
          person,
          history.threadReads.get(`${person.id}/${entry.rootId}`) ?? 0,
        );
        expect({ unread: entry.unread, mentions: entry.mentions }, label).toEqual(expected);
        expect(entry.replies, label).toBe(replies.filter((r) => !r.deleted).length);
        expect(entry.rootAuthor, label).toBe(history.messages.find((m) => m.id === entry.rootId)!.author);
        counted.threadUnread += expected.unread;
        counted.threadMentions += expected.mentions;
        counted.follows++;
      }
      for (const [rootId, ids] of followers)
        expect([...(actual.get(rootId) ?? [])].sort(), `${label} root ${rootId}`).toEqual([...ids].sort());
      for (const person of people) {
        const mine = await threadEntriesForUser(db, person.id);
        const expected = [...followers].filter(([, ids]) => ids.has(person.id)).map(([rootId]) => rootId);
        expect(mine.map((t) => t.rootId).sort(), label).toEqual(expected.sort());
      }
    }
    // The histories were not trivial.
    expect(counted.follows).toBeGreaterThan(20);
    expect(counted.threadUnread).toBeGreaterThan(counted.threadMentions);
    expect(counted.threadMentions).toBeGreaterThan(0);
    expect(counted.roomUnread).toBeGreaterThan(0);
  });
});
