import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Logger } from "../log.ts";
import type { Database } from "./database.ts";
import { openPglite } from "./pglite.ts";

describe("the embedded database (PGlite on its own thread)", () => {
  const dir = mkdtempSync(join(tmpdir(), "pglite-driver-"));
  let db: Database;
  const logged: string[] = [];
  const note = (_fields: object, message: string) => void logged.push(message);
  const log: Logger = { debug: note, info: note, warn: note, error: note };

  beforeAll(async () => {
    db = await openPglite(dir, { cacheMb: 24, maintenanceEveryMs: 300, log });
    await db.exec("create table items (id int primary key, data bytea)");
  }, 60_000);
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the page cache it was given (the bound on its memory), on a folder it made itself", async () => {
    const [row] = await db.query<{ shared_buffers: string }>("show shared_buffers");
    expect(row?.shared_buffers).toBe("24MB");
  });

  it("vacuums and analyzes by itself, as Postgres's autovacuum would (PGlite has none), and says so", async () => {
    await db.query("insert into items (id) select g from generate_series(100, 1099) g");
    await db.query("delete from items where id >= 100");
    await vi.waitFor(
      async () => {
        const [row] = await db.query<{ vacuumed: boolean; analyzed: boolean }>(
          "select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed from pg_stat_user_tables where relname = 'items'",
        );
        expect(row).toEqual({ vacuumed: true, analyzed: true });
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(logged.filter((message) => message.includes("vacuum")).length).toBeGreaterThan(0);
    expect(logged.filter((message) => message.includes("failed"))).toEqual([]);
  });

  it("runs queries with parameters and gives bytes back as bytes", async () => {
    await db.query("insert into items (id, data) values ($1, $2)", [1, new Uint8Array([1, 2, 3])]);
    const [row] = await db.query<{ id: number; data: Uint8Array }>("select * from items where id = $1", [1]);
    expect(row?.id).toBe(1);
    expect([...row!.data]).toEqual([1, 2, 3]);
  });

  it("commits a transaction that resolves and rolls back one that throws, with the error it threw", async () => {
    const returned = await db.transaction(async (tx) => {
      await tx.query("insert into items (id) values (2)");
      return "done";
    });
    expect(returned).toBe("done");
    const failure = new Error("changed my mind");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into items (id) values (3)");
        throw failure;
      }),
    ).rejects.toBe(failure);
    const ids = await db.query<{ id: number }>("select id from items where id in (2, 3) order by id");
    expect(ids.map((r) => r.id)).toEqual([2]);
  });

  it("passes Postgres's error on, with its message and code", async () => {
    await expect(db.query("insert into items (id) values (1)")).rejects.toMatchObject({
      message: expect.stringContaining("duplicate key"),
      code: "23505",
    });
    // A failed statement inside a transaction rolls the whole transaction back.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into items (id) values (4)");
        await tx.query("insert into items (id) values (1)");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await db.query("select id from items where id = 4")).toEqual([]);
  });

  it("holds queries from outside an open transaction until it ends, as one connection would", async () => {
    let outside: Promise<{ n: number }[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.query("insert into items (id) values (5)");
      outside = db.query<{ n: number }>("select count(*)::int as n from items where id = 5");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.query("insert into items (id) values (6)");
    });
    expect((await outside!)[0]?.n).toBe(1);
  });

  it("leaves the server's thread free while a query runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await db.query("select count(*) from generate_series(1, 3000000)");
    const took = performance.now() - started;
    clearInterval(timer);
    // On the server's thread the query held every timer until it was done: no tick at all.
    expect(took).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(took / 5 / 4);
  });
});
