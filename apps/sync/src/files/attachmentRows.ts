import type { Attachment } from "@chat/model";
import type { Queryable } from "../db/database.ts";

/** An upload as Postgres keeps it (migration 50). */
export interface UploadedFile {
  attachment: Attachment;
  sha256: string;
  roomId: string;
  uploader: string;
  /** The message that names it; null until one does. */
  messageId: string | null;
  /** Its message was deleted, or it expired unclaimed: nobody sees it. */
  hidden: boolean;
}

interface Row {
  id: string;
  sha256: string;
  name: string;
  size: string | number;
  type: string;
  width: number | null;
  height: number | null;
  room_id: string;
  uploader: string;
  message_id: string | null;
  hidden: boolean;
}

const COLUMNS = "id, sha256, name, size, type, width, height, room_id, uploader, message_id, hidden";

function toUploaded(row: Row): UploadedFile {
  const attachment: Attachment = { id: row.id, name: row.name, size: Number(row.size), type: row.type };
  if (row.width !== null && row.height !== null) {
    attachment.width = row.width;
    attachment.height = row.height;
  }
  return {
    attachment,
    sha256: row.sha256,
    roomId: row.room_id,
    uploader: row.uploader,
    messageId: row.message_id,
    hidden: row.hidden,
  };
}

export async function findUploads(db: Queryable, ids: readonly string[]): Promise<UploadedFile[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<Row>(`select ${COLUMNS} from attachments where id = any($1::text[])`, [ids]);
  return rows.map(toUploaded);
}

/** Inserts the upload's row; false when the id is taken (by this upload's retry, or anyone's). */
export async function insertUpload(
  db: Queryable,
  upload: Omit<UploadedFile, "messageId" | "hidden">,
): Promise<boolean> {
  const { attachment: a } = upload;
  const inserted = await db.query(
    `insert into attachments (id, sha256, name, size, type, width, height, room_id, uploader)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing returning id`,
    [
      a.id,
      upload.sha256,
      a.name,
      a.size,
      a.type,
      a.width ?? null,
      a.height ?? null,
      upload.roomId,
      upload.uploader,
    ],
  );
  return inserted.length === 1;
}

/**
 * Locks the blob row of `sha256` for the rest of the transaction, making it when missing; true when it
 * was made (its bytes are not in the store yet). Uploads of the same bytes and the sweep that removes
 * unused ones take this lock in turn, so bytes are never removed under a new upload.
 */
export async function lockBlob(db: Queryable, sha256: string, size: number): Promise<boolean> {
  const made = await db.query(
    "insert into file_blobs (sha256, size) values ($1, $2) on conflict (sha256) do nothing returning sha256",
    [sha256, size],
  );
  if (made.length === 1) return true;
  await db.query("select sha256 from file_blobs where sha256 = $1 for update", [sha256]);
  return false;
}

/**
 * Ties uploads to the message that names them: each of `ids` that `uploader` uploaded to `roomId`,
 * not hidden, and not named by another message. Returns the ids that are now the message's (a
 * message sent again keeps its own).
 */
export async function claimUploads(
  db: Queryable,
  roomId: string,
  uploader: string,
  messageId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    `update attachments set message_id = $3
     where id = any($4::text[]) and room_id = $1 and uploader = $2 and not hidden
       and (message_id is null or message_id = $3)
     returning id`,
    [roomId, uploader, messageId, ids],
  );
  return new Set(rows.map((row) => row.id));
}

/** Hides the files of deleted messages; returns the blobs that may now be unused. */
export async function hideFilesOf(
  db: Queryable,
  roomId: string,
  messageIds: readonly string[],
): Promise<string[]> {
  const rows = await db.query<{ sha256: string }>(
    `update attachments set hidden = true
     where room_id = $1 and message_id = any($2::text[]) and not hidden returning sha256`,
    [roomId, messageIds],
  );
  return [...new Set(rows.map((row) => row.sha256))];
}

/**
 * Hides uploads no message named within `maxAgeMs`, and files whose message the user index recorded as
 * deleted (a deletion this instance did not see: another instance's, or one before a crash); returns
 * the blobs that may now be unused.
 */
export async function hideAbandoned(db: Queryable, maxAgeMs: number): Promise<string[]> {
  const expired = await db.query<{ sha256: string }>(
    `update attachments set hidden = true
     where message_id is null and not hidden and created_at < now() - ($1::float8 * interval '1 millisecond')
     returning sha256`,
    [maxAgeMs],
  );
  const deleted = await db.query<{ sha256: string }>(
    `update attachments a set hidden = true from room_messages m
     where m.room_id = a.room_id and m.message_id = a.message_id and m.deleted and not a.hidden
     returning a.sha256`,
  );
  return [...new Set([...expired, ...deleted].map((row) => row.sha256))];
}

/** Whether any upload that is not hidden still refers to the blob (call with its lock held). */
export async function blobInUse(db: Queryable, sha256: string): Promise<boolean> {
  const rows = await db.query("select 1 from attachments where sha256 = $1 and not hidden limit 1", [sha256]);
  return rows.length > 0;
}

export async function dropBlobRow(db: Queryable, sha256: string): Promise<void> {
  await db.query("delete from file_blobs where sha256 = $1", [sha256]);
}

/**
 * The upload `userId` may download, or null (SECURITY.md, "Files"): not hidden, and either
 * named by a message of its room that is not deleted while `userId` is a member of that room (or the
 * room is public), or not named yet and `userId` is its uploader.
 */
export async function downloadable(db: Queryable, id: string, userId: string): Promise<UploadedFile | null> {
  const [row] = await db.query<Row>(
    `select ${COLUMNS} from attachments a
     where a.id = $1 and not a.hidden and (
       (a.message_id is null and a.uploader = $2)
       or (a.message_id is not null
           and (exists (select 1 from room_members rm where rm.room_id = a.room_id and rm.user_id = $2)
                -- A public room's history is readable by everyone signed in (a preview), its files too.
                or exists (select 1 from rooms r where r.id = a.room_id and r.kind = 'channel'))
           and not exists (select 1 from room_messages m
                           where m.room_id = a.room_id and m.message_id = a.message_id and m.deleted)))`,
    [id, userId],
  );
  return row ? toUploaded(row) : null;
}
