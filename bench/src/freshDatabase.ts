import pg from "pg";

/**
 * A database of its own on the Postgres server that `url` names, made for one benchmark run and
 * dropped after it, as PGlite gets a new folder each run. Measured in a long-lived shared database,
 * every earlier run's public rooms and people were in each new device's first sync of the directory
 * (1,365 rooms and 1,300 people once: joining took 12× bare Hocuspocus on Postgres against 2.7× on
 * PGlite), so the figures said more about the database's age than about the server.
 */
export async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `chat_bench_${Date.now().toString(36)}_${process.pid}`;
  const onServer = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await onServer(`create database ${name}`);
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    // WITH (FORCE): a server the run could not stop may still hold connections to it.
    drop: () => onServer(`drop database if exists ${name} with (force)`),
  };
}
