/**
 * In-memory CRM objects and associations for the HubSpot simulator, and the tokens and counters
 * every route file shares. Runtime-neutral.
 * Ids are numeric strings, as HubSpot's; properties are strings or null, as HubSpot sends them.
 */
import { type AssociationType, DEFAULT_PIPELINE, KNOWN_PROPERTIES, type ObjectType } from './schema.js';

export interface StoredObject {
  id: string;
  type: ObjectType;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export class CrmStore {
  private nextId = 40_000_000_001;
  readonly objects = new Map<ObjectType, Map<string, StoredObject>>(
    (Object.keys(KNOWN_PROPERTIES) as ObjectType[]).map((t) => [t, new Map()]),
  );
  /** `${fromType}:${fromId}:${toType}` → toId → types, kept in insertion order. */
  private readonly links = new Map<string, Map<string, AssociationType[]>>();

  constructor(private readonly now: () => Date) {}

  create(type: ObjectType, properties: Record<string, string | null>): StoredObject {
    const id = String(this.nextId++);
    const at = this.now().toISOString();
    const object: StoredObject = {
      id,
      type,
      properties: { ...properties, hs_object_id: id, createdate: at, hs_lastmodifieddate: at },
      createdAt: at,
      updatedAt: at,
    };
    this.recompute(object);
    this.objects.get(type)?.set(id, object);
    return object;
  }

  get(type: ObjectType, id: string): StoredObject | undefined {
    return this.objects.get(type)?.get(id);
  }

  update(object: StoredObject, properties: Record<string, string | null>): StoredObject {
    const at = this.now().toISOString();
    Object.assign(object.properties, properties, { hs_lastmodifieddate: at });
    object.updatedAt = at;
    this.recompute(object);
    return object;
  }

  count(type: ObjectType): number {
    return this.objects.get(type)?.size ?? 0;
  }

  /** Associates both ways, as HubSpot does. */
  associate(
    from: StoredObject,
    to: StoredObject,
    types: readonly AssociationType[],
    reverse: readonly AssociationType[],
  ): void {
    this.link(from.type, from.id, to.type, to.id, types);
    this.link(to.type, to.id, from.type, from.id, reverse);
  }

  associations(fromType: ObjectType, fromId: string, toType: ObjectType): [string, AssociationType[]][] {
    return [...(this.links.get(`${fromType}:${fromId}:${toType}`) ?? new Map()).entries()];
  }

  private link(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    types: readonly AssociationType[],
  ) {
    const key = `${fromType}:${fromId}:${toType}`;
    const targets = this.links.get(key) ?? new Map<string, AssociationType[]>();
    targets.set(toId, [...(targets.get(toId) ?? []), ...types]);
    this.links.set(key, targets);
  }

  /** HubSpot's calculated deal properties. */
  private recompute(object: StoredObject): void {
    if (object.type !== 'deals') return;
    const won = DEFAULT_PIPELINE.wonStages.includes(object.properties.dealstage ?? '');
    object.properties.hs_is_closed_won = String(won);
    if (won && !object.properties.closedate) object.properties.closedate = this.now().toISOString();
  }
}

export const DEFAULT_ACCESS_TOKEN = 'pat-na1-00000000-0000-4000-8000-000000000001';
export const DEFAULT_CLIENT_SECRET = 'sim-hubspot-client-secret';

export interface HubSpotSimulatorOptions {
  now?: () => Date;
  /** The private-app token the API accepts (default a fixed pat-na1-... value). */
  accessToken?: string;
  /** The app's client secret webhooks are signed with. */
  clientSecret?: string;
  portalId?: number;
}

/** Everything the route and seed files share: one portal, its objects, its tokens. */
export interface HubSpotSim {
  readonly now: () => Date;
  readonly portalId: number;
  readonly clientSecret: string;
  readonly store: CrmStore;
  /** What tests read: tokens, refreshes, and every accepted update. */
  readonly state: ReturnType<typeof initialState>;
  /** Sequence numbers behind correlation and event ids, so every run issues the same ones. */
  readonly counters: { correlation: number; event: number };
  /** The portal's custom association labels: each gets its own type id, as HubSpot assigns them. */
  readonly labelIds: Map<string, number>;
}

function initialState(portalId: number, store: CrmStore, accessToken: string, clientSecret: string) {
  return {
    portalId,
    store,
    accessTokens: new Set([accessToken]),
    clientSecret,
    /** The OAuth app: client id and the refresh tokens /oauth/v3/token accepts. */
    oauth: { clientId: 'sim-oauth-client-id', refreshTokens: new Set(['sim-oauth-refresh-token']) },
    /** Access tokens issued through /oauth/v3/token, with their expiry (ms). */
    oauthTokens: new Map<string, number>(),
    /** Number of refresh grants served. */
    refreshes: 0,
    /** Every accepted object update (PATCH), in order: what a test counts writes by. */
    updates: [] as { type: ObjectType; id: string; properties: Record<string, string | null> }[],
  };
}

export function createHubSpotSim(options: HubSpotSimulatorOptions): HubSpotSim {
  const now = options.now ?? (() => new Date());
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const portalId = options.portalId ?? 24_680_135;
  const store = new CrmStore(now);
  return {
    now,
    portalId,
    clientSecret,
    store,
    state: initialState(portalId, store, options.accessToken ?? DEFAULT_ACCESS_TOKEN, clientSecret),
    counters: { correlation: 0, event: 0 },
    labelIds: new Map(),
  };
}
