import type { Insertable, Kysely } from '@pi/db';
import { sql } from '@pi/db';
import type {
  AttemptRow,
  DeliveryAttemptsTable,
  DeliveryRow,
  DeliveryState,
  DispatcherDatabase,
} from '../db.js';

/** A claimed delivery with what sending it needs. */
export interface DueDelivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

/** An attempt with the event it delivered. */
export type LoggedAttempt = AttemptRow & Pick<DeliveryRow, 'event_id' | 'event_type'>;

/** Deliveries (the durable retry queue) and their attempt log; one query per method. */
export class DeliveriesRepository {
  constructor(private readonly db: Kysely<DispatcherDatabase>) {}

  /**
   * One pending delivery per enabled webhook subscribed to the event, due now. A second call for
   * the same event adds nothing (unique (event_id, webhook_id)). Returns how many were added.
   */
  async fanOut(event: { id: string; type: string; body: string }): Promise<number> {
    const r = await this.db
      .insertInto('webhook_deliveries')
      .columns(['webhook_id', 'event_id', 'event_type', 'body', 'state', 'next_attempt_at'])
      .expression((eb) =>
        eb
          .selectFrom('webhooks')
          .select([
            'id',
            eb.val(event.id).as('event_id'),
            eb.val(event.type).as('event_type'),
            eb.val(event.body).as('body'),
            sql.lit('pending').as('state'),
            sql<Date>`now()`.as('next_attempt_at'),
          ])
          .where('enabled', '=', true)
          .where(sql<boolean>`${event.type} = any(events)`),
      )
      .onConflict((oc) => oc.columns(['event_id', 'webhook_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n);
  }

  /**
   * Claims up to `limit` due deliveries of enabled webhooks, at most `perEndpoint` minus what this
   * process already sends (`inFlight`) per webhook, by moving their due time `leaseMs` ahead. SKIP
   * LOCKED lets replicas claim at once without taking each other's rows; a process that dies
   * mid-send leaves its rows to be claimed again when the lease runs out.
   */
  async claimDue(options: {
    limit: number;
    perEndpoint: number;
    inFlight: ReadonlyMap<string, number>;
    leaseMs: number;
  }): Promise<DueDelivery[]> {
    const ids = [...options.inFlight.keys()];
    const counts = [...options.inFlight.values()];
    const { rows } = await sql<DueDelivery>`
      with candidates as (
        select c.id
        from (
          select d.id, w.id as webhook_id,
                 row_number() over (partition by w.id order by d.next_attempt_at) as rn
          from webhooks w
          cross join lateral (
            select id, next_attempt_at from webhook_deliveries
            where webhook_id = w.id and state = 'pending' and next_attempt_at <= now()
            order by next_attempt_at
            limit ${options.perEndpoint}
            for update skip locked
          ) d
          where w.enabled
        ) c
        left join unnest(${ids}::uuid[], ${counts}::int[]) as busy(webhook_id, n)
          on busy.webhook_id = c.webhook_id
        where c.rn <= ${options.perEndpoint} - coalesce(busy.n, 0)
        limit ${options.limit}
      )
      update webhook_deliveries d
      set next_attempt_at = now() + ${options.leaseMs} * interval '1 millisecond'
      from candidates c, webhooks w
      where d.id = c.id and w.id = d.webhook_id
      returning d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.attempts, w.url, w.secret
    `.execute(this.db);
    return rows;
  }

  /** The delivery with its webhook's URL and secret, if it belongs to that webhook. */
  getForWebhook(
    webhookId: string,
    deliveryId: string,
  ): Promise<(DueDelivery & { state: DeliveryState; next_attempt_at: Date | null }) | undefined> {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'd.id',
        'd.webhook_id',
        'd.event_id',
        'd.event_type',
        'd.body',
        'd.attempts',
        'd.state',
        'd.next_attempt_at',
        'w.url',
        'w.secret',
      ])
      .where('d.id', '=', deliveryId)
      .where('d.webhook_id', '=', webhookId)
      .executeTakeFirst();
  }

  /**
   * Records an attempt in one statement: the delivery's next state, the attempt row and the
   * webhook's health. Returns the attempt, or undefined when the delivery no longer exists (its
   * webhook was deleted mid-request). Health is left alone when it would only move
   * `last_delivery_at` by under a second, so a busy webhook's row is not a point of contention.
   * The commit is asynchronous: a PostgreSQL crash can lose the last few records, and then the
   * delivery is simply sent again when its lease ends (receivers dedupe on webhook-id).
   */
  async recordAttempt(
    attempt: Insertable<DeliveryAttemptsTable>,
    next: { state: DeliveryState; disableWebhook: boolean },
  ): Promise<AttemptRow | undefined> {
    const a = attempt;
    const succeeded = next.state === 'succeeded';
    const { rows } = await sql<AttemptRow>`
        with settled as (
          update webhook_deliveries
          set state = ${next.state}, attempts = ${a.attempt},
              next_attempt_at = ${a.next_attempt_at ?? null}, updated_at = now()
          where id = ${a.delivery_id}
          returning id, webhook_id
        ), health as (
          update webhooks w
          set last_status_code = ${a.status_code ?? null},
              last_delivery_at = now(),
              consecutive_failures = case when ${succeeded} then 0
                                          else w.consecutive_failures + 1 end,
              enabled = w.enabled and not ${next.disableWebhook},
              updated_at = case when ${next.disableWebhook} then now() else w.updated_at end
          from settled
          where w.id = settled.webhook_id
            and (not ${succeeded} or ${next.disableWebhook} or w.consecutive_failures <> 0
                 or w.last_status_code is distinct from ${a.status_code ?? null}::int
                 or w.last_delivery_at is null
                 or w.last_delivery_at < now() - interval '1 second')
        )
        insert into webhook_delivery_attempts
          (delivery_id, webhook_id, attempt, outcome, status_code, duration_ms, error,
           response_excerpt, next_attempt_at)
        select id, webhook_id, ${a.attempt}::int, ${a.outcome}::text, ${a.status_code ?? null}::int,
               ${a.duration_ms}::int, ${a.error ?? null}::text, ${a.response_excerpt ?? null}::text,
               ${a.next_attempt_at ?? null}::timestamptz
        -- Applies to this statement's own transaction, so there is no BEGIN/COMMIT round trip.
        from settled, (select set_config('synchronous_commit', 'off', true)) as async_commit
        returning *
      `.execute(this.db);
    return rows[0];
  }

  /** The log of one webhook, newest first; `before` is the id of the last row of the previous page. */
  listAttempts(webhookId: string, limit: number, before?: number): Promise<LoggedAttempt[]> {
    let q = this.db
      .selectFrom('webhook_delivery_attempts as a')
      .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
      .select([
        'a.id',
        'a.delivery_id',
        'a.webhook_id',
        'd.event_id',
        'd.event_type',
        'a.attempt',
        'a.outcome',
        'a.status_code',
        'a.duration_ms',
        'a.error',
        'a.response_excerpt',
        'a.created_at',
        'a.next_attempt_at',
      ])
      .where('a.webhook_id', '=', webhookId);
    if (before) q = q.where('a.id', '<', before);
    return q.orderBy('a.id', 'desc').limit(limit).execute();
  }

  /** Pending deliveries, due or waiting for a retry (the queue-depth metric). */
  async countPending(): Promise<number> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Deletes attempts logged before `before`. */
  async pruneAttempts(before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('webhook_delivery_attempts')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Deletes finished deliveries last touched before `before` (their attempts go with them). */
  async pruneFinished(before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('webhook_deliveries')
      .where('state', '<>', 'pending')
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
