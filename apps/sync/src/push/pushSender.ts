import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import webpush from "web-push";
import type { Database } from "../db/database.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { Logger } from "../log.ts";
import { guardedLookup } from "./endpoints.ts";
import { forgetEndpoint, type StoredSubscription } from "./subscriptions.ts";
import type { VapidKeys } from "./vapidKeys.ts";

/** What one push asks the push service to carry (RFC 8030 headers). */
export interface PushOptions {
  /** Seconds the push service keeps it for a device that is offline (`TTL`). */
  ttlSeconds: number;
  urgency: "very-low" | "low" | "normal" | "high";
}

export interface PushSenderOptions {
  /** Posts in flight at once (all push services together). */
  concurrency?: number;
  /** Pushes waiting beyond this are dropped, oldest first: a push an hour late is worse than none. */
  maxQueued?: number;
  /** Tries per push, the first included; between them `backoffMs(firstRetryMs, n, maxRetryMs)`. */
  maxAttempts?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** A push service that has not answered by then counts as a failure (retried). */
  timeoutMs?: number;
  /** Each outcome as it happens (the metrics' `chat_pushes_total{outcome}`). */
  onOutcome?: (outcome: PushOutcome) => void;
}

export type PushOutcome = "sent" | "retried" | "expired" | "refused" | "dropped";

interface Job {
  subscription: StoredSubscription;
  payload: string;
  options: PushOptions;
  attempts: number;
}

/** The answer of a push service, or a network failure (status 0). */
interface Outcome {
  status: number;
  retryAfterMs: number | null;
  error?: string;
}

/**
 * Posts pushes to the push services, off the path of numbering and delivery: `enqueue` returns at
 * once, the posts run a few at a time, and a push that failed for a reason that may pass (a network
 * error, a timeout, 429, 5xx) is tried again after a wait that doubles (honouring `Retry-After`).
 * A subscription its push service no longer knows (404, 410) is removed, as RFC 8030 asks. Any other
 * refusal (400, 401, 403, 413) is logged and dropped: sending it again would be refused again.
 *
 * Payload encryption (RFC 8291, aes128gcm) and the VAPID signature (RFC 8292) are web-push's
 * (`generateRequestDetails`); the post itself is ours, so its address can be checked as it resolves.
 */
export class PushSender {
  private readonly db: Database;
  private readonly keys: () => Promise<VapidKeys>;
  private readonly subject: string;
  private readonly allowLocal: boolean;
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly maxAttempts: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly timeoutMs: number;
  private readonly queue: Job[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Counts since start, for tests and the log. */
  readonly counts: Record<PushOutcome, number> = { sent: 0, retried: 0, expired: 0, refused: 0, dropped: 0 };
  private readonly onOutcome: (outcome: PushOutcome) => void;

  constructor(
    db: Database,
    keys: () => Promise<VapidKeys>,
    config: { subject: string; allowLocal: boolean },
    log: Logger,
    options: PushSenderOptions = {},
  ) {
    this.db = db;
    this.keys = keys;
    this.subject = config.subject;
    this.allowLocal = config.allowLocal;
    this.log = log;
    this.concurrency = options.concurrency ?? 8;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.firstRetryMs = options.firstRetryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.onOutcome = options.onOutcome ?? (() => {});
  }

  private count(outcome: PushOutcome): void {
    this.counts[outcome]++;
    this.onOutcome(outcome);
  }

  /** Queues one push to one device; never waits for it. */
  enqueue(subscription: StoredSubscription, payload: string, options: PushOptions): void {
    if (this.closed) return;
    this.queue.push({ subscription, payload, options, attempts: 0 });
    while (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.count("dropped");
    }
    this.pump();
  }

  /** Resolves once nothing is queued, posting or waiting to be retried. */
  settled(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.retryTimers.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.attempt(job).finally(() => {
        this.running--;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    let outcome: Outcome;
    try {
      outcome = await this.post(job);
    } catch (error) {
      outcome = { status: 0, retryAfterMs: null, error: String(error) };
    }
    const { status } = outcome;
    if (status >= 200 && status < 300) {
      this.count("sent");
      return;
    }
    if (status === 404 || status === 410) {
      this.count("expired");
      await forgetEndpoint(this.db, job.subscription.endpoint).catch((error) =>
        this.log.warn({ error: String(error) }, "cannot remove an expired push subscription"),
      );
      return;
    }
    const passing = status === 0 || status === 429 || status >= 500;
    if (!passing || job.attempts >= this.maxAttempts) {
      this.count("refused");
      this.log.warn(
        { status, attempts: job.attempts, error: outcome.error, host: hostOf(job.subscription.endpoint) },
        "a push was not delivered",
      );
      return;
    }
    this.count("retried");
    const wait = Math.min(
      Math.max(backoffMs(this.firstRetryMs, job.attempts, this.maxRetryMs), outcome.retryAfterMs ?? 0),
      this.maxRetryMs,
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return this.checkIdle();
      this.queue.push(job);
      this.pump();
    }, wait);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async post(job: Job): Promise<Outcome> {
    const keys = await this.keys();
    const { subscription, payload, options } = job;
    const details = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      {
        vapidDetails: { subject: this.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        TTL: options.ttlSeconds,
        urgency: options.urgency,
        contentEncoding: "aes128gcm",
      },
    );
    const url = new URL(details.endpoint);
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: "POST",
          headers: details.headers as Record<string, string | number>,
          lookup: guardedLookup(this.allowLocal) as never,
          timeout: this.timeoutMs,
        },
        (response) => {
          response.resume(); // the body says nothing we act on
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              retryAfterMs: retryAfterMs(response.headers["retry-after"]),
            }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error("the push service did not answer in time")));
      outgoing.on("error", reject);
      outgoing.end(details.body ?? undefined);
    });
  }
}

/** `Retry-After` in seconds (or an HTTP date), as milliseconds from now. */
function retryAfterMs(value: string | undefined): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Only the host goes to the log: the endpoint's path is a capability. */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "?";
  }
}
