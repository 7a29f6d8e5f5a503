import { newId, normalizeUsername, passwordProblem, type UserEntry, usernameProblem } from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { SessionUser } from "./sessions.ts";

/** A refusal the person can act on; the HTTP layer turns it into `{ error }` with this status. */
export class RequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: boolean;
  created_at: Date | string;
}

const toSessionUser = (row: UserRow): SessionUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  isAdmin: row.is_admin,
});

export function toDirectoryEntry(
  row: { id: string; username: string; displayName: string },
  createdAt: number,
): UserEntry {
  return { id: row.id, username: row.username, displayName: row.displayName, createdAt };
}

function readCredentials(body: unknown): { username: string; password: string } {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.username !== "string" || typeof input.password !== "string")
    throw new RequestError(400, "Enter a username and a password.");
  return { username: normalizeUsername(input.username), password: input.password };
}

/** Creates an account. The first account of the workspace is its admin. */
export async function signUp(db: Database, body: unknown): Promise<SessionUser> {
  const { username, password } = readCredentials(body);
  const problem = usernameProblem(username) ?? passwordProblem(password);
  if (problem) throw new RequestError(400, problem);
  const passwordHash = await hashPassword(password);
  const id = newId();
  const rows = await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(7319002)");
    const [{ count } = { count: 0 }] = await tx.query<{ count: number }>(
      "select count(*)::int as count from users",
    );
    return tx.query<UserRow>(
      `insert into users (id, username, display_name, password_hash, is_admin)
       values ($1, $2, $2, $3, $4)
       on conflict (username) do nothing
       returning *`,
      [id, username, passwordHash, count === 0],
    );
  });
  const row = rows[0];
  if (!row) throw new RequestError(409, `The username "${username}" is taken. Choose another one.`);
  return toSessionUser(row);
}

export async function signIn(db: Database, body: unknown): Promise<SessionUser> {
  const { username, password } = readCredentials(body);
  const [row] = await db.query<UserRow>("select * from users where username = $1", [username]);
  const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
  if (!row || !ok) throw new RequestError(401, "Wrong username or password.");
  return toSessionUser(row);
}

export async function listAccounts(db: Queryable): Promise<Array<UserEntry>> {
  const rows = await db.query<UserRow>(
    "select id, username, display_name, created_at from users order by created_at",
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: new Date(row.created_at).getTime(),
  }));
}
