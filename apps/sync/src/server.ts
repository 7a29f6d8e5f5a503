import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseDocName } from "@chat/model";
import { Hocuspocus } from "@hocuspocus/server";
import { LastSeen } from "./auth/lastSeen.ts";
import { SessionRevocations } from "./auth/sessionRevocations.ts";
import type { Config } from "./config.ts";
import { countStatements } from "./db/countStatements.ts";
import type { Database } from "./db/database.ts";
import { RoomSegments } from "./docs/roomSegments.ts";
import { ServerChanges } from "./docs/serverChanges.ts";
import { UpdateLog } from "./docs/updateLog.ts";
import { DocumentWriter } from "./docs/writer.ts";
import { Access } from "./extensions/access.ts";
import { AwarenessGuard } from "./extensions/awarenessGuard.ts";
import { DirectoryBroadcasts } from "./extensions/directoryBroadcasts.ts";
import { FileReferences } from "./extensions/fileReferences.ts";
import { InViewPresence } from "./extensions/inView.ts";
import { NotifyPrefsMirror } from "./extensions/notifyPrefsMirror.ts";
import { Persistence } from "./extensions/persistence.ts";
import { PresenceGuard } from "./extensions/presence.ts";
import { ProjectionOnLoad } from "./extensions/projection.ts";
import { createScaleOut } from "./extensions/scaleOut.ts";
import { SegmentSealer } from "./extensions/segmentSealer.ts";
import { Sequencer } from "./extensions/sequencer.ts";
import { UserIndex } from "./extensions/userIndex.ts";
import { WriteGuard } from "./extensions/writeGuard.ts";
import { Files } from "./files/files.ts";
import { openFileStore } from "./files/openFileStore.ts";
import type { ApiDeps } from "./http/api.ts";
import { appRoutes, metricsRoutes } from "./http/router.ts";
import { LateBound } from "./lib/lateBound.ts";
import { AccountLimits } from "./limits/accountLimits.ts";
import { OpenDocuments } from "./limits/openDocuments.ts";
import { SegmentGrowth } from "./limits/segmentGrowth.ts";
import { SignInThrottle } from "./limits/signInThrottle.ts";
import { type LimitStore, MemoryLimitStore, RedisLimitStore } from "./limits/store.ts";
import type { Logger } from "./log.ts";
import { EndedMemberships } from "./membership/endedMemberships.ts";
import { Membership } from "./membership/membership.ts";
import { addMentionedPeople } from "./membership/mentionInvites.ts";
import { Metrics } from "./metrics.ts";
import { countRefusals } from "./process/refusalCounts.ts";
import { catchUnawaitedHooks } from "./process/unawaitedHooks.ts";
import { Projector } from "./projections/projector.ts";
import { InViewDevices } from "./push/inViewDevices.ts";
import { PushNotifier } from "./push/pushNotifier.ts";
import { PushSender } from "./push/pushSender.ts";
import { vapidKeysOnce } from "./push/vapidKeys.ts";
import { attachSync, type SyncEndpoint } from "./socket.ts";
import { IndexAudience } from "./userIndex/audience.ts";
import { rootFacts } from "./userIndex/threadQueries.ts";
import { ClientIdRegistry } from "./writes/clientIds.ts";

export interface ChatServer {
  url: string;
  port: number;
  /** Where Prometheus scrapes (METRICS_PORT, or the app's port with METRICS_TOKEN); null: not served. */
  metricsUrl: string | null;
  db: Database;
  hocuspocus: Hocuspocus;
  sequencer: Sequencer;
  userIndex: UserIndex;
  notifyPrefs: NotifyPrefsMirror;
  files: Files;
  metrics: Metrics;
  /** Web Push: who gets a push for each numbered message, and the queue that sends them. */
  push: PushNotifier;
  /** Whether Redis is reachable; null when this instance runs alone (no REDIS_URL). */
  redisReady(): boolean | null;
  /** Stops accepting, closes sockets, stores open documents, closes the database. */
  close(): Promise<void>;
}

/** Wires the parts together: one HTTP server for API, app and WebSocket; Hocuspocus with one extension per concern. */
export async function startServer(config: Config, database: Database, log: Logger): Promise<ChatServer> {
  const scaleOut = config.redisUrl ? createScaleOut(config.redisUrl, config.port, log) : null;
  // Built after the parts that read them (Hocuspocus takes the extensions; the sockets need it), each
  // assigned once; the parts read them only once documents are handled or metrics are scraped.
  const hocuspocusHandle = new LateBound<Hocuspocus>("Hocuspocus");
  const syncHandle = new LateBound<SyncEndpoint>("the WebSocket server");
  const metrics = new Metrics({
    sockets: () => syncHandle.peek()?.socketCount ?? 0,
    connections: () => hocuspocusHandle.peek()?.getConnectionsCount() ?? 0,
    documents: () => hocuspocusHandle.peek()?.getDocumentsCount() ?? 0,
  });
  // Instances that share a database are one workspace: they share rate limits and revocations.
  const workspaceKey = createHash("sha256")
    .update(config.databaseUrl ?? config.dataDir)
    .digest("base64url")
    .slice(0, 12);
  const limitStore: LimitStore = config.redisUrl
    ? new RedisLimitStore(config.redisUrl, `chat:limits:${workspaceKey}:`, log)
    : new MemoryLimitStore();
  const accountLimits = new AccountLimits(limitStore, config.limits.account);
  const db = countStatements(database, () => metrics.statementSent());
  const clientIds = new ClientIdRegistry(db, { alone: scaleOut === null });
  // One update log (group commit) for client updates and the server's own changes alike.
  const updateLog = new UpdateLog(db);
  const changes = new ServerChanges(updateLog, {
    onStored: (documentName) => metrics.serverChanged(parseDocName(documentName)?.kind ?? "other"),
  });
  const persistence = new Persistence(db, updateLog, log, metrics, {
    // The sequencer is built below; a document is stored only once the server runs.
    settled: (documentName): Promise<void> => sequencer.settled(documentName),
  });
  const writer = new DocumentWriter(hocuspocusHandle, changes);
  const projector = new Projector(db, writer);
  const membership = new Membership(
    db,
    writer,
    projector,
    (roomId, userId, explanation) => endedMemberships.ended(roomId, userId, explanation),
    (roomId, userId) => endedMemberships.began(roomId, userId),
  );
  const userIndex = new UserIndex(db, writer, log, {
    audience: new IndexAudience(
      (name) => hocuspocusHandle.peek()?.documents.get(name),
      scaleOut ? (names) => scaleOut.loadedOnPeers(names) : null,
      (name) => hocuspocusHandle.peek()?.loadingDocuments.has(name) ?? false,
    ),
  });
  const sequencer = new Sequencer(db, changes, log, {
    recoveryDelayMs: scaleOut ? 3_000 : 0,
    metrics,
    stored: (documentName): Promise<void> => persistence.stored(documentName),
  });
  // Mentions first: the index then counts the people they brought in.
  sequencer.onNumbered((roomId, documentName, document, messages) =>
    addMentionedPeople(db, membership, roomId, documentName, document, messages).then(() => {}),
  );
  sequencer.onNumbered((roomId, _documentName, document, messages) =>
    userIndex.messagesSequenced(roomId, messages, document),
  );
  // Web Push: decided per numbered batch and sent from a queue, never holding up numbering or delivery.
  // Listed after the user index on purpose: a reply's followers (thread_follows) are recorded there
  // before the push decision reads them.
  const vapidKeys = vapidKeysOnce(db, config.push.vapidKeys);
  const pushSender = new PushSender(db, vapidKeys, config.push, log, {
    firstRetryMs: config.push.firstRetryMs,
    onOutcome: (outcome) => metrics.pushed(outcome),
  });
  const inViewDevices = new InViewDevices({
    redisUrl: config.redisUrl,
    keyPrefix: `chat:in-view:${workspaceKey}:`,
    instanceId: randomBytes(6).toString("base64url"),
    log,
  });
  const push = new PushNotifier(db, pushSender, (userIds) => inViewDevices.inView(userIds), log);
  if (config.push.allowLocal)
    log.warn(
      {},
      "PUSH_ALLOW_LOCAL is on: push subscriptions may name http:// and private addresses (tests only)",
    );
  sequencer.onNumbered(async (roomId, _documentName, _document, messages) =>
    push.messagesNumbered(roomId, messages),
  );
  // The room documents this instance holds are the first place to look for a segment's listing.
  const roomSegments = new RoomSegments(db, (name) => hocuspocusHandle.peek()?.documents.get(name));
  // Attached files: their bytes in the file store, their rows in Postgres; unused ones swept hourly.
  const files = new Files(db, openFileStore(config.fileStore), log, {
    maxUploadBytes: config.maxUploadBytes,
  });
  files.startSweeping(60 * 60_000);
  if (scaleOut && config.fileStore.kind === "disk")
    log.warn(
      { dir: config.fileStore.dir },
      "several instances (REDIS_URL) keep attached files in a folder: each instance serves only the files uploaded to it unless that folder is shared; set S3_BUCKET",
    );
  const openDocuments = new OpenDocuments(config.limits.documents);
  const segmentGrowth = new SegmentGrowth(config.limits.account, config.limits.documents);
  const access = new Access(db, membership, log, roomSegments, openDocuments);
  const endedMemberships = new EndedMemberships({
    redisUrl: config.redisUrl,
    channel: `chat:memberships-ended:${workspaceKey}`,
    log,
    hocuspocus: hocuspocusHandle,
    forget: ({ roomId, userId, began }) => {
      // A check that found a previewer must not answer for the member's reopening either.
      access.forgetRoom(roomId, userId);
      if (began) userIndex.writes.keepRoom(userId, roomId);
      else userIndex.writes.dropRoom(userId, roomId);
    },
  });
  const notifyPrefs = new NotifyPrefsMirror(db, log);
  const hocuspocus = new Hocuspocus({
    name: `sync:${config.port}`,
    quiet: true,
    // Snapshots are compaction only (every update is already in the log), so they can wait.
    debounce: 2_000,
    maxDebounce: 10_000,
    extensions: [
      ...(scaleOut ? [scaleOut.extension] : []), // 1000 (its own): relay through Redis; lock stores
      access, // 1000: who may open which document, and how many
      new AwarenessGuard(clientIds, log, metrics, config.limits.presence), // 1100: presence only under ids nobody else holds, small, not flooding
      new PresenceGuard(), // 1000: awareness states carry their sender's identity, whatever the client claims
      new WriteGuard(clientIds, log, accountLimits, segmentGrowth, files, (roomId, rootIds) =>
        rootFacts(db, roomId, rootIds),
      ), // 200: who may write what, and how much, before anything is applied
      persistence, // 100: append accepted updates to Postgres before they are acknowledged
      new ProjectionOnLoad(db, changes, log), // 90: server-written documents mirror Postgres when they load
      sequencer, // 50: number accepted messages
      userIndex, // 40: members' unread and mention counts follow read positions and edits
      new SegmentSealer(writer, log), // 40: a full history segment gets a successor
      new DirectoryBroadcasts(), // the directory's presence and changes go out once a second
      new FileReferences(files, log), // 40: a deleted message's files are hidden, unused bytes removed
      new InViewPresence(inViewDevices), // 1200: who has the app in view (presence on their own index), for pushes
      notifyPrefs, // 40: each person's notification levels and do not disturb, copied to Postgres
    ].map((extension) =>
      countRefusals(
        catchUnawaitedHooks(extension, ({ hook, extension: name, error }) => {
          metrics.hookFailed(hook);
          log.error({ hook, extension: name, error: String(error) }, "a hook failed; serving on");
        }),
        (label) => metrics.refused(label),
      ),
    ),
  });
  hocuspocusHandle.set(hocuspocus);

  // "Last activity" in the admin's People: requests and socket frames, one write per person per few minutes.
  const lastSeen = new LastSeen(db, log);
  // Requests are routed once the API's parts exist (below); the WebSocket upgrade attaches first.
  const http = createServer();
  const sync = attachSync({
    server: http,
    hocuspocus,
    db,
    log,
    allowedOrigins: config.allowedOrigins,
    limits: config.limits.socket,
    metrics,
    secure: config.secureCookies,
    lastSeen,
  });
  syncHandle.set(sync);
  const revocations = new SessionRevocations({
    redisUrl: config.redisUrl,
    channel: `chat:sessions-revoked:${workspaceKey}`,
    log,
    closeLocal: (tokenHashes, reason) => sync.closeSessions(tokenHashes, reason),
  });
  const redisReady = () => (scaleOut ? scaleOut.ready() : null);
  const apiDeps: ApiDeps = {
    db,
    projector,
    membership,
    log,
    secureCookies: config.secureCookies,
    trustProxy: config.trustProxy,
    signInThrottle: new SignInThrottle(limitStore, config.limits.signIn),
    accountLimits,
    files,
    writer,
    revokeSessions: (tokenHashes: readonly string[], reason?: string) =>
      revocations.revoke(tokenHashes, reason),
    // The admin removed a message (http/adminRoutes.ts): as for its author's deletion, its files go
    // and the room's counts follow.
    messageRemoved: async (roomId, messageId) => {
      await files.messagesDeleted(roomId, [messageId]);
      await userIndex.recount(roomId, null);
    },
    lastSeen,
    push: {
      vapidKeys,
      allowLocalEndpoints: config.push.allowLocal,
      subscribed: () => push.subscribed(),
    },
  };
  http.on(
    "request",
    appRoutes({
      db,
      log,
      metrics,
      api: apiDeps,
      secureCookies: config.secureCookies,
      allowedOrigins: config.allowedOrigins,
      webDist: config.webDist,
      // Only with the operator's token, and only while metrics have no port of their own.
      metricsToken: config.metricsPort === null ? config.metricsToken : null,
      redisReady,
    }),
  );

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const origin = (listening: number) =>
    `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${listening}`;
  const url = origin(port);

  // METRICS_PORT: /metrics alone, on the same HOST (a firewall or the deployment keeps it internal).
  const metricsServer =
    config.metricsPort === null ? null : createServer(metricsRoutes(metrics, config.metricsToken));
  if (metricsServer)
    await new Promise<void>((resolve, reject) => {
      metricsServer.once("error", reject);
      metricsServer.listen(config.metricsPort!, config.host, () => resolve());
    });
  const metricsUrl = metricsServer
    ? `${origin((metricsServer.address() as AddressInfo).port)}/metrics`
    : config.metricsToken !== null
      ? `${url}/metrics`
      : null;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      http.close();
      http.closeAllConnections();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      persistence.closing = true;
      sync.close();
      await writer.close();
      hocuspocus.flushPendingStores();
      const deadline = Date.now() + 5_000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await hocuspocus.hooks("onDestroy", { instance: hocuspocus });
      await scaleOut?.close();
      pushSender.close();
      await inViewDevices.close();
      await revocations.close();
      await endedMemberships.close();
      await limitStore.close();
      await files.close();
      await db.close();
    })();
    return closing;
  };
  return {
    url,
    port,
    metricsUrl,
    db,
    hocuspocus,
    sequencer,
    userIndex,
    notifyPrefs,
    files,
    metrics,
    push,
    redisReady,
    close,
  };
}
