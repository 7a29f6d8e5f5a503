import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { countStatements } from "../db/countStatements.ts";
import type { Database } from "../db/database.ts";
import { openDatabase } from "../db/open.ts";
import { ClientIdRegistry } from "./clientIds.ts";

describe("the client id registry's lookups", () => {
  const dir = mkdtempSync(join(tmpdir(), "client-ids-"));
  let database: Database;
  let statements = 0;
  let db: Database;
  let nextId = 1_000;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: dir });
    db = countStatements(database, () => statements++);
    for (const [id, name] of [
      ["u-ann", "ann"],
      ["u-ben", "ben"],
    ])
      await database.query(
        "insert into users (id, username, display_name, password_hash) values ($1, $2, $2, 'x')",
        [id, name],
      );
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.useRealTimers());

  /** Statements a presence check of an id nobody wrote with costs, asked twice two minutes apart. */
  async function twoChecksApart(registry: ClientIdRegistry, client: number): Promise<number> {
    vi.useFakeTimers({ toFake: ["Date"] });
    const before = statements;
    expect(await registry.heldByOther(client, "u-ann")).toBeNull();
    vi.setSystemTime(Date.now() + 120_000);
    expect(await registry.heldByOther(client, "u-ann")).toBeNull();
    return statements - before;
  }

  it("alone, an id nobody wrote with is looked up once; shared, again after a minute", async () => {
    expect(await twoChecksApart(new ClientIdRegistry(db, { alone: true }), nextId++)).toBe(1);
    expect(await twoChecksApart(new ClientIdRegistry(db), nextId++)).toBe(2);
  });

  it("alone, a claim still binds an id it had looked up as nobody's", async () => {
    const registry = new ClientIdRegistry(db, { alone: true });
    const client = nextId++;
    expect(await registry.heldByOther(client, "u-ben")).toBeNull();
    expect(await registry.claim([client], "u-ann")).toEqual([]);
    expect(await registry.heldByOther(client, "u-ben")).toBe("u-ann");
    expect(await registry.claim([client], "u-ben")).toEqual([client]);
  });
});
