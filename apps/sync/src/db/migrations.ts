import type { Database } from "./database.ts";

/**
 * Schema migrations, applied in order at start-up by both drivers. Append new ones; never edit an
 * applied one. An advisory lock keeps several sync instances from migrating at the same time.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "accounts, sessions, rooms and document storage",
    sql: `
      create table users (
        id text primary key,
        username text not null unique,
        display_name text not null,
        password_hash text not null,
        is_admin boolean not null default false,
        created_at timestamptz not null default now()
      );
      create table sessions (
        token_hash text primary key,
        user_id text not null references users(id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      );
      create index sessions_user on sessions(user_id);
      create table rooms (
        id text primary key,
        kind text not null check (kind in ('channel', 'private', 'dm')),
        name text not null,
        name_key text not null,
        topic text not null default '',
        archived boolean not null default false,
        created_by text not null references users(id),
        created_at timestamptz not null default now(),
        last_seq bigint not null default 0
      );
      create unique index rooms_unique_name on rooms(name_key) where kind <> 'dm';
      create table room_members (
        room_id text not null references rooms(id) on delete cascade,
        user_id text not null references users(id) on delete cascade,
        added_by text not null references users(id),
        joined_at timestamptz not null default now(),
        primary key (room_id, user_id)
      );
      create index room_members_user on room_members(user_id);
      -- A document is its latest snapshot plus the updates appended since.
      create table documents (
        name text primary key,
        snapshot bytea not null,
        updated_at timestamptz not null default now()
      );
      create table document_updates (
        id bigserial primary key,
        name text not null,
        data bytea not null,
        created_at timestamptz not null default now()
      );
      create index document_updates_name on document_updates(name, id);
      -- Each Yjs client id belongs to the account that first wrote with it, so nobody can write
      -- items under someone else's client id.
      create table yjs_clients (
        client_id bigint primary key,
        user_id text not null references users(id) on delete cascade
      );
    `,
  },
  {
    version: 10,
    name: "sequenced messages and read positions, for unread and mention counts",
    sql: `
      -- One row per sequenced message (the documents hold the text): what the per-user index counts.
      create table room_messages (
        room_id text not null references rooms(id) on delete cascade,
        seq bigint not null,
        message_id text not null,
        author text not null,
        mentions text[] not null default '{}',
        deleted boolean not null default false,
        sequenced_at timestamptz not null default now(),
        primary key (room_id, seq)
      );
      create unique index room_messages_message on room_messages(room_id, message_id);
      -- Each member's read position, mirrored from the room document's reads map (only forward).
      create table room_reads (
        room_id text not null references rooms(id) on delete cascade,
        user_id text not null references users(id) on delete cascade,
        read_seq bigint not null default 0,
        primary key (room_id, user_id)
      );
    `,
  },
  {
    version: 30,
    name: "workspace settings (invite-only sign-up) and invite links",
    sql: `
      -- One row: the workspace's settings, changed by its admin.
      create table workspace_settings (
        id boolean primary key default true check (id),
        invite_only boolean not null default false,
        updated_by text references users(id) on delete set null,
        updated_at timestamptz not null default now()
      );
      insert into workspace_settings (id) values (true) on conflict do nothing;
      -- Invite links: only the token's SHA-256 is stored, like sessions; the link is shown once.
      create table invites (
        id text primary key,
        token_hash text not null unique,
        created_by text not null references users(id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        max_uses integer check (max_uses is null or max_uses > 0),
        uses integer not null default 0,
        revoked_at timestamptz
      );
      create index invites_created_by on invites(created_by);
      alter table users add column invited_by text references users(id) on delete set null;
    `,
  },
  {
    version: 40,
    name: "stored document parts that could not be applied, kept aside",
    sql: `
      -- A snapshot or log row that could not be applied as stored (docs/storedParts.ts): the
      -- document is served without it, and a copy waits here for an operator.
      create table damaged_updates (
        id bigserial primary key,
        name text not null,
        source text not null,
        problem text not null,
        data bytea not null,
        found_at timestamptz not null default now()
      );
      create index damaged_updates_name on damaged_updates(name);
    `,
  },
  {
    version: 41,
    name: "when each Yjs client id was bound, so unused bindings can be pruned safely",
    sql: `
      -- Pruning (writes/pruneClientIds.ts) spares bindings younger than a minute, whose write may
      -- still be on its way to storage; rows from before this column were bound long ago.
      alter table yjs_clients add column claimed_at timestamptz not null default 'epoch';
      alter table yjs_clients alter column claimed_at set default now();
    `,
  },
  {
    version: 45,
    name: "unread and mention counts kept in room_reads, moved as messages are numbered and read",
    sql: `
      alter table room_reads
        add column unread bigint not null default 0,
        add column mentions bigint not null default 0;
      -- Every member has a row (read nothing yet when they never read), counted once from scratch;
      -- from here on the server moves the counts (userIndex/queries.ts).
      insert into room_reads (room_id, user_id)
        select room_id, user_id from room_members on conflict do nothing;
      update room_reads rr set
        unread = (select count(*) from room_messages x
          where x.room_id = rr.room_id and x.seq > rr.read_seq and x.author <> rr.user_id and not x.deleted),
        mentions = (select count(*) from room_messages x
          where x.room_id = rr.room_id and x.seq > rr.read_seq and x.author <> rr.user_id and not x.deleted
            and u.username = any(x.mentions))
        from users u where u.id = rr.user_id;
    `,
  },
  {
    version: 50,
    name: "attached files: their bytes stored once by SHA-256, each upload's metadata and message",
    sql: `
      -- The bytes of a file, stored once in the file store (files/fileStore.ts) under blobs/<sha256>
      -- however often they are uploaded. A row exists only while its bytes do (files/files.ts).
      create table file_blobs (
        sha256 text primary key,
        size bigint not null,
        created_at timestamptz not null default now()
      );
      -- One upload: the id its client chose, the name, what the server detected, where and by whom;
      -- message_id once a message names it (the write guard claims it), hidden once that message is
      -- deleted or the upload expired unclaimed. Hidden rows stay, so an id is never used twice.
      create table attachments (
        id text primary key,
        sha256 text not null,
        name text not null,
        size bigint not null,
        type text not null,
        width integer,
        height integer,
        room_id text not null references rooms(id) on delete cascade,
        uploader text not null references users(id) on delete cascade,
        created_at timestamptz not null default now(),
        message_id text,
        hidden boolean not null default false
      );
      create index attachments_blob on attachments(sha256) where not hidden;
      create index attachments_message on attachments(room_id, message_id) where message_id is not null;
      create index attachments_unclaimed on attachments(created_at) where message_id is null and not hidden;
    `,
  },
  {
    version: 51,
    name: "profiles: a status line and an avatar per account",
    sql: `
      -- The display name was there from the start (set to the username); its owner changes it, the
      -- status and the avatar through PATCH /api/profile and PUT /api/profile/avatar (docs/api.md).
      alter table users
        add column status text not null default '',
        add column avatar text;
      -- GET /api/avatars/<id> asks whether anyone shows the avatar.
      create index users_avatar on users(avatar) where avatar is not null;
    `,
  },
  {
    version: 60,
    name: "threads: replies in room_messages, who follows which thread and how far they read",
    sql: `
      -- A reply names its root; in_room is false for a reply not also sent to the room, which the
      -- room's counts leave out (userIndex/queries.ts). Lines about the room are still not recorded.
      alter table room_messages
        add column thread_root text,
        add column in_room boolean not null default true;
      create index room_messages_thread on room_messages(room_id, thread_root, seq) where thread_root is not null;
      -- One row per thread that has replies: its root's author and the start of its text, for the list.
      create table threads (
        room_id text not null references rooms(id) on delete cascade,
        root_id text not null,
        root_author text not null,
        preview text not null default '',
        primary key (room_id, root_id)
      );
      -- Who follows a thread (its root's author, who replied, who was mentioned in it) and the last
      -- reply they read, mirrored from the room document's threadReads (only forward).
      create table thread_follows (
        room_id text not null,
        root_id text not null,
        user_id text not null references users(id) on delete cascade,
        read_seq bigint not null default 0,
        primary key (room_id, root_id, user_id),
        foreign key (room_id, root_id) references threads(room_id, root_id) on delete cascade
      );
      create index thread_follows_user on thread_follows(user_id);
    `,
  },
  {
    version: 70,
    name: "group conversations: a room kind 'group', one room per set of people",
    sql: `
      -- The check was written inline in version 1, so Postgres named it rooms_kind_check; it is
      -- dropped and added again under that name with the new kind.
      alter table rooms drop constraint if exists rooms_kind_check;
      alter table rooms add constraint rooms_kind_check check (kind in ('channel', 'private', 'dm', 'group'));
      -- A group conversation's people as a key: their ids sorted and joined by spaces. Unique, so two
      -- people starting the same group at once (on two instances) get one room. Someone leaving
      -- changes the key to the people still in it (or clears it when another group has those people).
      alter table rooms add column member_key text;
      create unique index rooms_group_members on rooms(member_key) where member_key is not null;
    `,
  },
  {
    version: 80,
    name: "the admin runs the workspace: deactivation, last activity, password-reset links, the audit table",
    sql: `
      -- deactivated_at: set by the admin (auth/people.ts); such an account cannot sign in and has no
      -- sessions. last_seen_at: written at most once per few minutes per person (auth/lastSeen.ts).
      alter table users
        add column deactivated_at timestamptz,
        add column last_seen_at timestamptz;
      -- A link the admin issues for one person: only the token's SHA-256 is kept, as for sessions and
      -- invites; used_at makes it single-use (set in the same statement that checks it).
      create table password_resets (
        token_hash text primary key,
        user_id text not null references users(id) on delete cascade,
        created_by text references users(id) on delete set null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz
      );
      create index password_resets_user on password_resets(user_id);
      -- Every admin action: who, what, when (GET /api/admin/audit). Rows stay when people go.
      create table admin_audit (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor text references users(id) on delete set null,
        action text not null,
        target_user text references users(id) on delete set null,
        room_id text,
        summary text not null
      );
      create index admin_audit_at on admin_audit(at desc, id desc);
    `,
  },
  {
    version: 90,
    name: "each person's notification levels and do not disturb, mirrored from their user document",
    sql: `
      -- The "notify" map of user:<id> (model notifyLevels.ts), copied here whenever a device changes it
      -- (notify/notifyPrefs.ts), so whoever decides to push reads everyone's levels in one query.
      -- levels: { roomId: "all" | "mentions" | "nothing" } for the rooms whose level was chosen.
      create table notify_prefs (
        user_id text primary key references users(id) on delete cascade,
        levels jsonb not null default '{}'::jsonb,
        dnd jsonb,
        updated_at timestamptz not null default now()
      );
    `,
  },
  {
    version: 100,
    name: "web push: the server's VAPID key pair and each device's push subscription",
    sql: `
      -- One pair for the workspace, made by whichever instance first needs it (push/vapidKeys.ts);
      -- VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY replace it. Changing it voids every browser's subscription.
      create table push_vapid_keys (
        id integer primary key check (id = 1),
        public_key text not null,
        private_key text not null,
        created_at timestamptz not null default now()
      );
      -- One row per device: the browser's PushSubscription, tied to the session that registered it,
      -- so signing out (or any end of that session) stops pushes to the device by itself.
      create table push_subscriptions (
        endpoint text primary key,
        user_id text not null references users(id) on delete cascade,
        session_hash text not null references sessions(token_hash) on delete cascade,
        p256dh text not null,
        auth text not null,
        created_at timestamptz not null default now()
      );
      create index push_subscriptions_user on push_subscriptions(user_id);
      create index push_subscriptions_session on push_subscriptions(session_hash);
    `,
  },
];

export async function migrate(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(7319001)");
    await tx.query(
      "create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())",
    );
    const applied = new Set(
      (await tx.query<{ version: number }>("select version from schema_migrations")).map((r) => r.version),
    );
    let count = 0;
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query("insert into schema_migrations (version, name) values ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      count++;
    }
    return count;
  });
}

/** Migrations run statement by statement inside the transaction (extended protocol takes one at a time). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}
