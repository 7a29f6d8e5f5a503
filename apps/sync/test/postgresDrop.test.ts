import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailable } from "../src/db/database.ts";
import {
  api,
  createStorage,
  eventually,
  signUp,
  startServerBehindProxy,
  type TestStorage,
  uniqueName,
} from "./harness.ts";
import { freePort, killServerProcesses, ServerProcess } from "./serverProcess.ts";
import { TcpProxy } from "./tcpProxy.ts";

/**
 * Postgres may drop the server's connections at any moment, including while a transaction holds one:
 * the process stays up, answers 503 meanwhile, and serves again by itself once Postgres is back.
 * Needs a Postgres server to cut off.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))("when Postgres drops a connection mid-transaction", () => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await createStorage();
  });
  afterAll(async () => {
    await killServerProcesses();
    await storage?.dispose();
  });

  it("the process stays up and recovers by itself (the real server, as its own process)", {
    timeout: 60_000,
  }, async () => {
    const url = new URL(storage.env.DATABASE_URL!);
    const postgres = new TcpProxy(url.hostname, Number(url.port || 5432));
    const direct = new pg.Client({ connectionString: storage.env.DATABASE_URL });
    try {
      url.host = `127.0.0.1:${await postgres.start()}`;
      const server = await ServerProcess.start(storage, await freePort(), {
        DATABASE_URL: url.toString(),
      });
      const password = "correct horse battery";
      expect(
        (await api(server, "POST", "/api/signup", { username: uniqueName("first"), password })).status,
      ).toBe(201);

      // Hold the server's sign-up transaction open: it waits to insert into a table locked here,
      // on a connection that does not go through the proxy.
      await direct.connect();
      await direct.query("begin");
      await direct.query("lock table users in exclusive mode");
      const signingUp = api(server, "POST", "/api/signup", { username: uniqueName("held"), password });
      await eventually(
        async () =>
          (await direct.query("select 1 from pg_locks where relation = 'users'::regclass and not granted"))
            .rowCount! > 0 || undefined,
        10_000,
        "the server's sign-up transaction to wait on the lock",
      );

      await postgres.cut();
      await direct.query("rollback");
      expect((await signingUp).status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.alive, `the server exited:\n${server.output}`).toBe(true);
      expect((await api(server, "GET", "/readyz")).status).toBe(503);

      await postgres.restore();
      await eventually(
        async () => (await api(server, "GET", "/readyz")).status === 200 || undefined,
        15_000,
        "ready again",
      );
      expect(
        (await api(server, "POST", "/api/signup", { username: uniqueName("after"), password })).status,
      ).toBe(201);
      expect(server.alive, `the server exited:\n${server.output}`).toBe(true);
    } finally {
      await direct.end().catch(() => {});
      await postgres.close();
    }
  });

  it("the process survives cuts at random moments while it signs people up and creates rooms", {
    timeout: 90_000,
  }, async () => {
    const url = new URL(storage.env.DATABASE_URL!);
    const postgres = new TcpProxy(url.hostname, Number(url.port || 5432));
    try {
      url.host = `127.0.0.1:${await postgres.start()}`;
      const server = await ServerProcess.start(storage, await freePort(), { DATABASE_URL: url.toString() });
      const owner = await signUp(server, "owner");
      const password = "correct horse battery";
      const statuses = new Set<number>();
      for (let round = 0; round < 8; round++) {
        // Sign-ups and room creations are transactions; the cut lands somewhere inside the batch.
        const load = Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0
              ? api(server, "POST", "/api/signup", { username: uniqueName("cut"), password })
              : api(server, "POST", "/api/rooms", { name: uniqueName("cut ") }, owner.cookie)
            ).then(
              (response) => response.status,
              () => 0, // the connection to the server itself failed: it is gone
            ),
          ),
        );
        await new Promise((r) => setTimeout(r, Math.random() * 150));
        await postgres.cut();
        for (const status of await load) statuses.add(status);
        expect(server.alive, `the server exited in round ${round}:\n${server.output}`).toBe(true);
        await postgres.restore();
        await eventually(
          async () => (await api(server, "GET", "/readyz")).status === 200 || undefined,
          15_000,
          "ready again",
        );
      }
      // Each request either went through or was refused as an outage, never dropped or called a bug.
      expect(
        [...statuses].filter((status) => ![201, 503].includes(status)),
        server.output,
      ).toEqual([]);
      expect(
        (await api(server, "POST", "/api/rooms", { name: uniqueName("after ") }, owner.cookie)).status,
      ).toBe(201);
    } finally {
      await postgres.close();
    }
  });

  it("a transaction whose connection drops between two statements fails as 'unavailable'; the server serves once Postgres is back", {
    timeout: 60_000,
  }, async () => {
    const stack = await startServerBehindProxy(storage);
    try {
      const { server, postgres } = stack;
      const outcome = await server.db
        .transaction(async (tx) => {
          await tx.query("select 1");
          await postgres.cut();
          // The drop arrives while no statement is running: only an 'error' listener hears it.
          await new Promise((r) => setTimeout(r, 300));
          return tx.query("select 1");
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(DatabaseUnavailable);

      await postgres.restore();
      await eventually(
        async () => (await api(server, "GET", "/readyz")).status === 200 || undefined,
        15_000,
        "ready again",
      );
      expect(await server.db.transaction((tx) => tx.query<{ one: number }>("select 1 as one"))).toEqual([
        { one: 1 },
      ]);
      const signUp = await api(server, "POST", "/api/signup", {
        username: uniqueName("after"),
        password: "correct horse battery",
      });
      expect(signUp.status).toBe(201);
    } finally {
      await stack.close();
    }
  });
});
