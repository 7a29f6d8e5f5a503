import type { Database, Queryable } from "./database.ts";

/**
 * The database, telling `counted` of every statement sent (inside transactions too): the number of
 * round trips behind each message is a figure the benchmark reports and tests can bound, where the
 * time they take depends on the machine.
 */
export function countStatements(db: Database, counted: () => void): Database {
  const counting =
    (on: Queryable): Queryable["query"] =>
    (sql, params) => {
      counted();
      return on.query(sql, params);
    };
  return {
    driver: db.driver,
    query: counting(db),
    exec(sql) {
      counted();
      return db.exec(sql);
    },
    transaction: (work) => db.transaction((tx) => work({ query: counting(tx) })),
    close: () => db.close(),
  };
}
