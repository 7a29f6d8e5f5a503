import { type CountedMessage, countUnread, newId } from "@chat/model";
import { seededRandom } from "@chat/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { Database } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open.ts";
import {
  entriesForRoom,
  entriesForUser,
  recordEdit,
  recordRead,
  recordSequenced,
  recordSequencedWithEntries,
  recountMembers,
} from "../src/userIndex/queries.ts";
import { createStorage, type TestStorage } from "./harness.ts";

/**
 * The per-user index counts unread messages and mentions in SQL (userIndex/queries.ts) so that any
 * instance can count without loading a room; the UI's "New messages" divider and the model's tests
 * use the model's rule (countUnread). Both must say the same thing on any history: random messages by
 * several people, mentions, edits that change them, deletions, read positions moved by repeated marks
 * (never back), lines about the room (sequenced, never recorded in SQL), members who never read.
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

interface History {
  roomId: string;
  members: string[];
  messages: Array<CountedMessage & { id: string }>;
  /** Each member's read position after all their marks (0 when they never read). */
  reads: Map<string, number>;
}

async function addPeople(count: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId();
    const person = { id, username: `u${id.slice(0, 8)}` };
    await db.query("insert into users (id, username, display_name, password_hash) values ($1, $2, $2, 'x')", [
      person.id,
      person.username,
    ]);
    people.push(person);
  }
  return people;
}

/** Entries recordSequencedWithEntries answered with (and that were checked against entriesForRoom). */
let entriesAnswered = 0;

/** Writes a random history of one room into the database the way the server does, and returns it. */
async function randomHistory(random: () => number, people: readonly Person[]): Promise<History> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const roomId = newId();
  await db.query(
    "insert into rooms (id, kind, name, name_key, created_by) values ($1, 'channel', $1, $1, $2)",
    [roomId, people[0]!.id],
  );
  const members = people.filter((_, i) => i === 0 || random() < 0.8);
  for (const member of members)
    await db.query("insert into room_members (room_id, user_id, added_by) values ($1, $2, $2)", [
      roomId,
      member.id,
    ]);
  const someMentions = () => [
    ...new Set(
      people
        .filter(() => random() < 0.3)
        .map((person) => person.username)
        .concat(random() < 0.1 ? ["nobody"] : []),
    ),
  ];

  const messages: History["messages"] = [];
  const count = Math.floor(random() * 40);
  for (let seq = 1; seq <= count; seq++) {
    const line = random() < 0.1;
    messages.push({
      id: newId(),
      seq,
      author: pick(people).id,
      mentions: line ? [] : someMentions(),
      deleted: false,
      ...(line ? { event: { type: "member-added" as const, userId: pick(people).id } } : {}),
    });
  }
  // Most members joined the way the server adds them (a room_reads row, counted); some rooms' members
  // predate the stored counts (no row: counted from scratch until they first read).
  const joined = random() < 0.7;
  if (joined) await recountMembers(db, roomId, null);
  const reads = new Map<string, number>();
  const markSomeReads = async (upTo: number) => {
    for (const member of members) {
      const marks = Math.floor(random() * 3);
      for (let i = 0; i < marks; i++) {
        const seq = Math.floor(random() * (upTo + 1));
        await recordRead(db, roomId, member.id, seq);
        reads.set(member.id, Math.max(reads.get(member.id) ?? 0, seq));
      }
    }
  };
  // Lines about the room take sequence numbers but are never recorded (the user index skips them).
  // Numbered in batches (one numbering may cover several messages), some recorded twice (a numbering
  // retried), with people reading between them: each message moves the counts of those behind it.
  const recorded = messages.filter((m) => m.event === undefined);
  for (let from = 0; from < recorded.length; ) {
    const batch = recorded.slice(from, from + 1 + Math.floor(random() * 4));
    const again = random() < 0.2 ? recorded.slice(Math.max(0, from - 2), from) : [];
    const rows = [...again, ...batch].map((m) => ({
      messageId: m.id,
      seq: m.seq!,
      author: m.author,
      mentions: m.mentions,
    }));
    if (random() < 0.5) await recordSequenced(db, roomId, rows);
    else {
      // The numbering that brings the room's recount along answers what a recount would read next.
      const answered = await recordSequencedWithEntries(db, roomId, rows);
      const byUser = (a: { userId: string }, b: { userId: string }) => a.userId.localeCompare(b.userId);
      expect(answered.sort(byUser)).toEqual((await entriesForRoom(db, roomId)).sort(byUser));
      entriesAnswered += answered.length;
    }
    from += batch.length;
    if (joined && random() < 0.3) await markSomeReads(batch.at(-1)!.seq!);
  }
  for (const message of recorded) {
    const roll = random();
    if (roll < 0.15) {
      message.deleted = true;
      message.mentions = [];
    } else if (roll < 0.3) message.mentions = someMentions();
    else continue;
    await recordEdit(db, roomId, message.id, { mentions: message.mentions, deleted: message.deleted });
  }

  await markSomeReads(count);
  return { roomId, members: members.map((member) => member.id), messages, reads };
}

describe("unread and mention counts in SQL", () => {
  it("agree with the model's countUnread on random histories", async () => {
    const counted = { unread: 0, mentions: 0 };
    for (let seed = 1; seed <= 12; seed++) {
      const random = seededRandom(seed);
      const people = await addPeople(4);
      const histories = [await randomHistory(random, people), await randomHistory(random, people)];

      for (const history of histories) {
        const entries = await entriesForRoom(db, history.roomId);
        expect(entries.map((entry) => entry.userId).sort(), `seed ${seed}`).toEqual(
          [...history.members].sort(),
        );
        for (const entry of entries) {
          const person = people.find((p) => p.id === entry.userId)!;
          const expected = countUnread(history.messages, person, history.reads.get(person.id) ?? 0);
          expect({ unread: entry.unread, mentions: entry.mentions }, `seed ${seed}`).toEqual(expected);
          counted.unread += expected.unread;
          counted.mentions += expected.mentions;
        }
      }
      for (const person of people) {
        const entries = await entriesForUser(db, person.id);
        expect(entries.length).toBe(histories.filter((h) => h.members.includes(person.id)).length);
        for (const entry of entries) {
          const history = histories.find((h) => h.roomId === entry.roomId)!;
          const expected = countUnread(history.messages, person, history.reads.get(person.id) ?? 0);
          expect({ unread: entry.unread, mentions: entry.mentions }, `seed ${seed}`).toEqual(expected);
        }
      }
    }
    // The histories were not trivial: there was something to count.
    expect(counted.unread).toBeGreaterThan(counted.mentions);
    expect(counted.mentions).toBeGreaterThan(0);
    expect(entriesAnswered).toBeGreaterThan(0);
  });
});
