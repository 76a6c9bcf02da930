/**
 * The emulator's state and domain rules, with no HTTP in sight: people, events, devices, segment
 * membership, deliveries and broadcast triggers of one workspace. Route handlers are thin wrappers
 * around these methods; every rule cites customerio-api.md.
 */
import { TRACK_LIMITS } from '../../operations/track-people.js';
import { metaError, trackError } from './errors.js';
import type { CollectionRecord, ExportRecord } from './exports.js';
import { ObjectStore, objectRefOf } from './objects.js';

export interface WorkspaceConfig {
  siteId: string;
  trackApiKey: string;
  appApiKey: string;
  /** The region the workspace lives in (what `GET /api/v1/accounts/region` reports). */
  region: 'us' | 'eu';
  environmentId: number;
  /** Signs outbound reporting webhooks (X-CIO-Signature). */
  webhookSigningKey: string;
}

export const DEFAULT_WORKSPACE: WorkspaceConfig = {
  siteId: 'emulator-site-id',
  trackApiKey: 'emulator-track-key',
  appApiKey: 'emulator-app-key',
  region: 'us',
  environmentId: 1,
  webhookSigningKey: 'emulator-webhook-signing-key',
};

export interface Device {
  id: string;
  platform: string;
  last_used?: number;
  attributes: Record<string, string>;
}

export interface Person {
  cio_id: string;
  id: string | null;
  email: string | null;
  /** As Customer.io stores them: strings (§2.3). */
  attributes: Record<string, string>;
  /** Unix seconds of each attribute's last update. */
  timestamps: Record<string, number>;
  devices: Device[];
  suppressed: boolean;
}

export interface StoredEvent {
  id: string | null;
  name: string;
  type: 'event' | 'page' | 'screen';
  customer_id: string | null;
  anonymous_id: string | null;
  data: Record<string, unknown>;
  timestamp: number;
}

export interface Delivery {
  delivery_id: string;
  kind: 'email' | 'push' | 'sms' | 'inbox_message' | 'in_app' | 'whatsapp';
  /** The template's id, however the send named it (id, numeric string or trigger name). */
  transactional_message_id: number | null;
  identifiers: Record<string, string>;
  to: string | null;
  subject: string | null;
  queued_at: number;
}

export interface BroadcastTrigger {
  /** Numbered per broadcast, from 1 (UNCONFIRMED: lookups always name the broadcast too). */
  id: number;
  broadcast_id: number;
  created_at: number;
  processed_at: number;
  errors: string[];
}

export interface Broadcast {
  id: number;
  name: string;
}

export interface SegmentDef {
  id: number;
  name: string;
  description: string;
  created: number;
}

export interface TransactionalMessage {
  id: number;
  name: string;
  /** The "Trigger Name" a send may use instead of the id (matched case-insensitively). */
  trigger_name: string;
}

export type IdentifierKind = 'id' | 'email' | 'cio_id';

/** Track's limits: the ones the client checks (one table), plus the segment id cap (§2.5). */
export const LIMITS = { ...TRACK_LIMITS, segmentIds: 1000 } as const;

const RESERVED_IDENTIFY_KEYS = new Set([
  'id',
  'email',
  'anonymous_id',
  '_timestamp',
  '_update',
  'cio_relationships',
  'cio_subscription_preferences',
]);

export const now = (): number => Math.floor(Date.now() / 1000);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The kind of a Track v1 path identifier, from its shape (§2.3, §7a.3 — the exact rule is
 * UNCONFIRMED): `cio_` prefix → cio_id, contains `@` → email, anything else → id.
 */
export function identifierKind(identifier: string): { kind: IdentifierKind; value: string } {
  if (identifier.startsWith('cio_')) return { kind: 'cio_id', value: identifier.slice(4) };
  if (identifier.includes('@')) return { kind: 'email', value: identifier };
  return { kind: 'id', value: identifier };
}

/** Indexes `person` under `key` unless someone created before holds it. */
function indexUnder(map: Map<string, Person>, key: string, person: Person): void {
  if (!map.has(key)) map.set(key, person);
}

/** How an identify request's attribute value is stored: as a string (§2.3). */
function storedValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class EmulatorState {
  readonly workspace: WorkspaceConfig;
  /** Everyone, in creation order. Change it only through this class: it keeps the indexes below. */
  people: Person[] = [];
  /**
   * People by cio_id, id and lower-cased email, kept in sync on every change, so that a lookup is
   * not a scan (importing 500k people stays linear). Where two people share a key (which the rules
   * mostly prevent), the one created first holds it, as a scan in order would find.
   */
  private byCioId = new Map<string, Person>();
  private byId = new Map<string, Person>();
  private byEmail = new Map<string, Person>();
  events: StoredEvent[] = [];
  private seenEventIds = new Set<string>();
  /** Events that repeated an id already stored (accepted and ignored) since the last reset. */
  duplicateEvents = 0;
  /** Manual segment id → cio_ids. */
  segments = new Map<number, Set<string>>();
  deliveries: Delivery[] = [];
  /** Objects and their relationships with people. */
  readonly objects = new ObjectStore();
  triggers: BroadcastTrigger[] = [];
  broadcasts: Broadcast[] = [];
  exports = new Map<number, ExportRecord>();
  collections = new Map<number, CollectionRecord>();
  /** Reporting webhooks by id, and snippets by name (App configuration resources). */
  webhooks = new Map<number, Record<string, unknown>>();
  snippets = new Map<string, { name: string; value: string; updated_at: number }>();
  /** Manual segments (App `/v1/segments`); membership is in `segments`. */
  segmentDefs = new Map<number, SegmentDef>();
  transactionalMessages: TransactionalMessage[] = [];
  private sequence = 0;
  /** Called for every delivery made (the server sends reporting webhooks from it). */
  onDelivery?: (delivery: Delivery) => void;

  constructor(workspace: Partial<WorkspaceConfig> = {}) {
    this.workspace = { ...DEFAULT_WORKSPACE, ...workspace };
    this.seed();
  }

  /** Empties all state and restores the seeded fixtures. */
  reset(): void {
    this.people = [];
    this.byCioId = new Map();
    this.byId = new Map();
    this.byEmail = new Map();
    this.events = [];
    this.seenEventIds = new Set();
    this.duplicateEvents = 0;
    this.segments = new Map();
    this.deliveries = [];
    this.objects.clear();
    this.webhooks = new Map();
    this.exports = new Map();
    this.collections = new Map();
    this.snippets = new Map();
    this.sequence = 0;
    this.seed();
  }

  /** The seeded fixtures (documented in the emulator README). */
  private seed(): void {
    this.broadcasts = [
      { id: 1, name: 'Emulator broadcast' },
      // The connector documentation's raw example, `GET /campaigns/8/triggers/1`, works out of the box.
      { id: 8, name: 'Emulator example broadcast' },
    ];
    this.triggers = [
      { id: 1, broadcast_id: 8, created_at: 1_700_000_000, processed_at: 1_700_000_060, errors: [] },
    ];
    this.segmentDefs = new Map([
      [
        1,
        {
          id: 1,
          name: 'Emulator manual segment',
          description: 'Seeded by the emulator',
          created: 1_700_000_000,
        },
      ],
    ]);
    this.transactionalMessages = [
      { id: 7, name: 'Welcome email', trigger_name: 'welcome' },
      { id: 1, name: 'Example message', trigger_name: 'example' },
    ];
  }

  private nextCioId(): string {
    this.sequence += 1;
    return (0x3000000 + this.sequence).toString(16).padStart(8, '0');
  }

  // ---------------------------------------------------------------- lookup

  find(kind: IdentifierKind, value: string): Person | undefined {
    switch (kind) {
      case 'cio_id':
        return this.byCioId.get(value);
      case 'email':
        // Emails are case-insensitive (§2.3).
        return this.byEmail.get(value.toLowerCase());
      case 'id':
        return this.byId.get(value);
    }
  }

  // ---------------------------------------------------------------- indexes

  private addPerson(person: Person): void {
    this.people.push(person);
    indexUnder(this.byCioId, person.cio_id, person);
    if (person.id !== null) indexUnder(this.byId, person.id, person);
    if (person.email !== null) indexUnder(this.byEmail, person.email.toLowerCase(), person);
  }

  /** Takes a person out of the list and the indexes. */
  private dropPerson(person: Person): void {
    this.people = this.people.filter((p) => p !== person);
    this.unindex(this.byCioId, person.cio_id, person, (p) => p.cio_id);
    if (person.id !== null) this.unindex(this.byId, person.id, person, (p) => p.id);
    if (person.email !== null)
      this.unindex(this.byEmail, person.email.toLowerCase(), person, (p) => p.email?.toLowerCase() ?? null);
  }

  private setId(person: Person, id: string): void {
    if (person.id === id) return;
    if (person.id !== null) this.unindex(this.byId, person.id, person, (p) => p.id);
    person.id = id;
    indexUnder(this.byId, id, person);
  }

  private setEmail(person: Person, email: string): void {
    if (person.email === email) return;
    if (person.email !== null)
      this.unindex(this.byEmail, person.email.toLowerCase(), person, (p) => p.email?.toLowerCase() ?? null);
    person.email = email;
    indexUnder(this.byEmail, email.toLowerCase(), person);
  }

  /** `person` no longer holds `key`: the next person (in order) with it does, if any (a rare scan). */
  private unindex(
    map: Map<string, Person>,
    key: string,
    person: Person,
    keyOf: (p: Person) => string | null,
  ): void {
    if (map.get(key) !== person) return;
    map.delete(key);
    const next = this.people.find((p) => p !== person && keyOf(p) === key);
    if (next !== undefined) map.set(key, next);
  }

  findByPathIdentifier(identifier: string): Person | undefined {
    const { kind, value } = identifierKind(identifier);
    return this.find(kind, value);
  }

  private isSuppressed(kind: IdentifierKind, value: string): boolean {
    const person = this.find(kind, value);
    return person?.suppressed === true;
  }

  // ---------------------------------------------------------------- people

  /** `PUT /api/v1/customers/{identifier}` with the identify matching rules of §2.3. */
  identify(identifier: string, body: Record<string, unknown>): void {
    this.checkIdentifier(identifier);
    const path = identifierKind(identifier);
    const bodyId =
      typeof body['id'] === 'string' || typeof body['id'] === 'number' ? String(body['id']) : undefined;
    const bodyEmail = typeof body['email'] === 'string' ? body['email'] : undefined;
    const updateOnly = body['_update'] === true;
    const attributes = Object.entries(body).filter(([key]) => !RESERVED_IDENTIFY_KEYS.has(key));
    this.checkAttributes(attributes);
    if (bodyId !== undefined && bytes(bodyId) > LIMITS.identifierBytes) {
      throw trackError(400, `id must be at most ${LIMITS.identifierBytes} bytes`);
    }

    // Suppressed identifiers cannot be re-added: the request is accepted and dropped.
    if (this.isSuppressed(path.kind, path.value)) return;
    if (bodyEmail !== undefined && this.isSuppressed('email', bodyEmail)) return;
    if (bodyId !== undefined && this.isSuppressed('id', bodyId)) return;

    let person = this.find(path.kind, path.value);
    if (person !== undefined) {
      const other =
        (bodyId !== undefined ? this.find('id', bodyId) : undefined) ??
        (bodyEmail !== undefined ? this.find('email', bodyEmail) : undefined);
      // Path and body identifiers belong to two people: 200 and an "Attribute Update Failure".
      if (other !== undefined && other !== person) return;
    } else {
      // An unknown path id whose body identifiers match someone updates that person (§2.3).
      person =
        (bodyId !== undefined ? this.find('id', bodyId) : undefined) ??
        (bodyEmail !== undefined ? this.find('email', bodyEmail) : undefined);
      if (person === undefined) {
        // `_update: true` never creates; an unknown cio_id is dropped.
        if (updateOnly || path.kind === 'cio_id') return;
        person = {
          cio_id: this.nextCioId(),
          id: null,
          email: null,
          attributes: {},
          timestamps: {},
          devices: [],
          suppressed: false,
        };
        this.addPerson(person);
      }
      if (path.kind === 'id') this.setId(person, path.value);
      if (path.kind === 'email') this.setEmail(person, path.value);
    }

    const at = typeof body['_timestamp'] === 'number' ? body['_timestamp'] : now();
    // Setting id or email through the body (allowed when identified by email or cio_id; the
    // "Allow updates to email using ID" setting is assumed on).
    if (bodyId !== undefined) this.setAttribute(person, 'id', bodyId, at);
    if (bodyEmail !== undefined) this.setAttribute(person, 'email', bodyEmail, at);
    if (person.id !== null) this.setAttribute(person, 'id', person.id, at);
    if (person.email !== null) this.setAttribute(person, 'email', person.email, at);
    for (const [name, value] of attributes) this.setAttribute(person, name, value, at);
    if (typeof body['anonymous_id'] === 'string')
      this.setAttribute(person, 'anonymous_id', body['anonymous_id'], at);
    if (body['cio_subscription_preferences'] !== undefined) {
      this.setAttribute(person, 'cio_subscription_preferences', body['cio_subscription_preferences'], at);
    }
    this.applyRelationships(person, body['cio_relationships']);
    if (Object.keys(person.attributes).length > LIMITS.attributesPerCall) {
      throw trackError(400, `a person can have at most ${LIMITS.attributesPerCall} attributes`);
    }
  }

  /**
   * Track v1 `cio_relationships: {action, relationships: [{identifiers, relationship_attributes}]}`
   * (or a bare array, as v2 writes it: always an add).
   */
  applyRelationships(person: Person, value: unknown, add = true): void {
    if (value === undefined || value === null) return;
    const block = value as { action?: unknown; relationships?: unknown };
    const list = Array.isArray(value) ? value : Array.isArray(block.relationships) ? block.relationships : [];
    const adding = Array.isArray(value) ? add : block.action !== 'delete_relationships';
    for (const entry of list as {
      identifiers?: unknown;
      relationship_attributes?: Record<string, unknown>;
    }[]) {
      const ref = objectRefOf(entry.identifiers);
      if (ref !== undefined) this.objects.relate(person, ref, entry.relationship_attributes, adding);
    }
  }

  private setAttribute(person: Person, name: string, value: unknown, at: number): void {
    if (name === 'id') this.setId(person, storedValue(value));
    if (name === 'email') this.setEmail(person, storedValue(value));
    // null or "" removes an attribute (as for objects, §2.2; UNCONFIRMED for people).
    if (value === null || value === '') {
      Reflect.deleteProperty(person.attributes, name);
      Reflect.deleteProperty(person.timestamps, name);
      return;
    }
    person.attributes[name] = storedValue(value);
    person.timestamps[name] = at;
  }

  private checkIdentifier(identifier: string): void {
    if (identifier.trim() === '') throw trackError(400, 'identifier is required');
    if (bytes(identifier) > LIMITS.identifierBytes) {
      throw trackError(400, `identifier must be at most ${LIMITS.identifierBytes} bytes`);
    }
  }

  private checkAttributes(attributes: [string, unknown][]): void {
    const errors: string[] = [];
    for (const [name, value] of attributes) {
      if (bytes(name) > LIMITS.attributeNameBytes)
        errors.push(
          `attribute name "${name.slice(0, 40)}…" is longer than ${LIMITS.attributeNameBytes} bytes`,
        );
      if (value !== null && bytes(storedValue(value)) > LIMITS.attributeValueBytes) {
        errors.push(`attribute "${name}" value is longer than ${LIMITS.attributeValueBytes} bytes`);
      }
    }
    if (attributes.length > LIMITS.attributesPerCall)
      errors.push(`at most ${LIMITS.attributesPerCall} attributes per request`);
    if (errors.length > 0) throw trackError(400, ...errors);
  }

  /** `DELETE /api/v1/customers/{identifier}`: 200 even when nobody matches (§6). */
  deletePerson(identifier: string): void {
    const person = this.findByPathIdentifier(identifier);
    if (person !== undefined && !person.suppressed) this.removePerson(person);
  }

  private removePerson(person: Person): void {
    this.dropPerson(person);
    this.objects.forget(person);
    for (const members of this.segments.values()) members.delete(person.cio_id);
  }

  /** Deletes the person and blocks their identifiers from being added again. */
  suppress(identifier: string): void {
    const existing = this.findByPathIdentifier(identifier);
    const { kind, value } = identifierKind(identifier);
    const person: Person = existing ?? {
      cio_id: kind === 'cio_id' ? value : this.nextCioId(),
      id: kind === 'id' ? value : null,
      email: kind === 'email' ? value : null,
      attributes: {},
      timestamps: {},
      devices: [],
      suppressed: true,
    };
    if (existing === undefined) this.addPerson(person);
    person.suppressed = true;
    person.attributes = {};
    person.timestamps = {};
    person.devices = [];
    for (const members of this.segments.values()) members.delete(person.cio_id);
  }

  /** Makes a suppressed identifier usable again; the old profile is not restored. */
  unsuppress(identifier: string): void {
    const person = this.findByPathIdentifier(identifier);
    if (person?.suppressed === true) this.dropPerson(person);
  }

  addDevice(identifier: string, body: Record<string, unknown>): void {
    const device = body['device'];
    if (typeof device !== 'object' || device === null || Array.isArray(device))
      throw trackError(400, 'device is required');
    const d = device as Record<string, unknown>;
    const errors: string[] = [];
    if (typeof d['id'] !== 'string' || d['id'] === '') errors.push('device.id is required');
    if (d['platform'] !== 'ios' && d['platform'] !== 'android')
      errors.push('device.platform must be ios or android');
    // A numeric string is accepted and stored as the number: the Go client has always sent it so.
    const lastUsed =
      typeof d['last_used'] === 'string' && /^\d{1,12}$/.test(d['last_used'])
        ? Number(d['last_used'])
        : d['last_used'];
    if (lastUsed !== undefined && !(typeof lastUsed === 'number' && Number.isFinite(lastUsed)))
      errors.push('device.last_used must be a unix timestamp');
    if (errors.length > 0) throw trackError(400, ...errors);
    const person = this.findByPathIdentifier(identifier);
    // UNCONFIRMED whether Customer.io creates a person for a device; the emulator does not.
    if (person === undefined || person.suppressed) return;
    const attributes: Record<string, string> = {};
    if (typeof d['attributes'] === 'object' && d['attributes'] !== null) {
      for (const [k, v] of Object.entries(d['attributes'])) attributes[k] = storedValue(v);
    }
    const stored: Device = { id: d['id'] as string, platform: d['platform'] as string, attributes };
    if (typeof lastUsed === 'number') stored.last_used = lastUsed;
    person.devices = [...person.devices.filter((x) => x.id !== stored.id), stored];
  }

  deleteDevice(identifier: string, deviceId: string): void {
    const person = this.findByPathIdentifier(identifier);
    if (person !== undefined) person.devices = person.devices.filter((d) => d.id !== deviceId);
  }

  // ---------------------------------------------------------------- events

  /**
   * `POST /api/v1/customers/{identifier}/events` and `POST /api/v1/events`. Dedup on `id` (§2.4).
   * `dataWithinLimit`: the caller already knows `data` is under its limit (a v2 item of at most
   * 32 KB holds data of at most 32 KB), so it is not serialised again to be measured.
   */
  trackEvent(
    customerId: string | null,
    body: Record<string, unknown>,
    options: { dataWithinLimit?: boolean } = {},
  ): void {
    if (customerId !== null) this.checkIdentifier(customerId);
    const errors: string[] = [];
    const name = body['name'];
    if (typeof name !== 'string' || name.trim() === '') errors.push('name is required');
    else if (bytes(name) > LIMITS.eventNameBytes)
      errors.push(`name must be at most ${LIMITS.eventNameBytes} bytes`);
    const type = body['type'] ?? 'event';
    if (type !== 'event' && type !== 'page' && type !== 'screen')
      errors.push('type must be event, page or screen');
    const data: unknown = body['data'] ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      errors.push('data must be an object');
    else if (options.dataWithinLimit !== true && bytes(JSON.stringify(data)) > LIMITS.eventDataBytes)
      errors.push(`data must be at most ${LIMITS.eventDataBytes} bytes`);
    if (body['timestamp'] !== undefined && !Number.isInteger(body['timestamp']))
      errors.push('timestamp must be a unix timestamp');
    if (body['id'] !== undefined && typeof body['id'] !== 'string') errors.push('id must be a string');
    if (errors.length > 0) throw trackError(400, ...errors);
    const id = typeof body['id'] === 'string' ? body['id'] : null;
    if (id !== null) {
      if (this.seenEventIds.has(id)) {
        // A repeated id is accepted and ignored.
        this.duplicateEvents++;
        return;
      }
      this.seenEventIds.add(id);
    }
    this.events.push({
      id,
      // Names are trimmed of leading and trailing spaces (§2.4).
      name: (name as string).trim(),
      type: type as StoredEvent['type'],
      customer_id: customerId,
      anonymous_id: typeof body['anonymous_id'] === 'string' ? body['anonymous_id'] : null,
      data: data as Record<string, unknown>,
      timestamp: typeof body['timestamp'] === 'number' ? body['timestamp'] : now(),
    });
  }

  /** `POST /api/v1/merge_customers`: secondary merges into primary and is deleted. */
  merge(body: Record<string, unknown>): void {
    const primary = this.mergeIdentifier(body, 'primary');
    const secondary = this.mergeIdentifier(body, 'secondary');
    const target = this.find(primary.kind, primary.value);
    if (target === undefined) throw metaError(400, 'primary person not found');
    const source = this.find(secondary.kind, secondary.value);
    if (source === undefined || source === target) return;
    for (const [name, value] of Object.entries(source.attributes)) {
      if (!(name in target.attributes) && name !== 'id' && name !== 'email') {
        target.attributes[name] = value;
        target.timestamps[name] = source.timestamps[name] ?? now();
      }
    }
    if (target.email === null && source.email !== null) {
      // The source is removed below: its email moves to the target.
      const email = source.email;
      this.unindex(this.byEmail, email.toLowerCase(), source, () => null);
      this.setEmail(target, email);
      target.attributes['email'] = source.email;
    }
    target.devices = [
      ...target.devices,
      ...source.devices.filter((d) => !target.devices.some((t) => t.id === d.id)),
    ];
    for (const members of this.segments.values()) {
      if (members.delete(source.cio_id)) members.add(target.cio_id);
    }
    this.removePerson(source);
  }

  private mergeIdentifier(
    body: Record<string, unknown>,
    key: 'primary' | 'secondary',
  ): { kind: IdentifierKind; value: string } {
    const value = body[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw metaError(400, `${key} is required`);
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    if (
      entries.length !== 1 ||
      only === undefined ||
      !['id', 'email', 'cio_id'].includes(only[0]) ||
      (typeof only[1] !== 'string' && typeof only[1] !== 'number')
    ) {
      throw metaError(400, `${key} must have exactly one of id, email or cio_id`);
    }
    return { kind: only[0] as IdentifierKind, value: String(only[1]) };
  }

  // ---------------------------------------------------------------- segments

  /** Manual segment add/remove (Track). Ids that do not match anyone are ignored (§2.1). */
  changeSegment(
    segmentId: number,
    body: Record<string, unknown>,
    idType: string | undefined,
    add: boolean,
  ): void {
    const ids = body['ids'];
    if (!Array.isArray(ids)) throw trackError(400, 'ids is required');
    if (ids.length > LIMITS.segmentIds)
      throw trackError(400, `ids must have at most ${LIMITS.segmentIds} items`);
    const kind = idType ?? 'id';
    if (kind !== 'id' && kind !== 'email' && kind !== 'cio_id')
      throw trackError(400, 'id_type must be id, email or cio_id');
    let members = this.segments.get(segmentId);
    if (members === undefined) {
      members = new Set();
      this.segments.set(segmentId, members);
    }
    for (const raw of ids) {
      if (typeof raw !== 'string' && typeof raw !== 'number') continue;
      const value = kind === 'cio_id' ? String(raw).replace(/^cio_/, '') : String(raw);
      const person = this.find(kind, value);
      if (person === undefined || person.suppressed) continue;
      if (add) members.add(person.cio_id);
      else members.delete(person.cio_id);
    }
  }

  // ---------------------------------------------------------------- forms, unsubscribe

  submitForm(body: Record<string, unknown>): void {
    const data = body['data'];
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw trackError(400, 'data is required');
    const fields = data as Record<string, unknown>;
    const id = fields['id'];
    const email = fields['email'];
    if (typeof id === 'string' && id !== '') this.identify(id, fields);
    else if (typeof email === 'string' && email !== '') this.identify(email, fields);
    else throw trackError(400, 'data must contain id or email');
  }

  unsubscribe(deliveryId: string, body: Record<string, unknown>): void {
    const delivery = this.deliveries.find((d) => d.delivery_id === deliveryId);
    if (delivery === undefined) throw trackError(400, 'delivery_id not found');
    if (body['unsubscribe'] !== undefined && typeof body['unsubscribe'] !== 'boolean')
      throw trackError(400, 'unsubscribe must be a boolean');
    const [kind, value] = Object.entries(delivery.identifiers)[0] ?? [];
    const person =
      kind === undefined || value === undefined ? undefined : this.find(kind as IdentifierKind, value);
    if (person !== undefined)
      this.setAttribute(person, 'unsubscribed', String(body['unsubscribe'] ?? true), now());
  }

  // ---------------------------------------------------------------- App API

  /** The transactional template a send names: its id (number or numeric string) or trigger name. */
  transactionalMessage(ref: unknown): TransactionalMessage | undefined {
    if (typeof ref === 'number') return this.transactionalMessages.find((m) => m.id === ref);
    if (typeof ref !== 'string' || ref === '') return undefined;
    const lower = ref.toLowerCase();
    return this.transactionalMessages.find(
      (m) => (/^\d+$/.test(ref) && m.id === Number(ref)) || m.trigger_name.toLowerCase() === lower,
    );
  }

  /**
   * Transactional sends (`POST /v1/send/email|push|sms|inbox_message|in_app|whatsapp`); errors are
   * `{meta:{error}}` (§3.5).
   */
  send(kind: Delivery['kind'], body: Record<string, unknown>): Delivery {
    const identifiers = body['identifiers'];
    if (typeof identifiers !== 'object' || identifiers === null || Array.isArray(identifiers)) {
      throw metaError(400, 'identifiers is required');
    }
    const idEntries = Object.entries(identifiers as Record<string, unknown>);
    const [identifier] = idEntries;
    if (
      idEntries.length !== 1 ||
      identifier === undefined ||
      !['id', 'email', 'cio_id'].includes(identifier[0])
    ) {
      throw metaError(400, 'identifiers must contain exactly one of id, email or cio_id');
    }
    const templateRef = body['transactional_message_id'];
    let messageId: number | null = null;
    if (templateRef !== undefined) {
      const message = this.transactionalMessage(templateRef);
      if (message === undefined)
        throw metaError(400, `transactional message ${JSON.stringify(templateRef)} not found`);
      messageId = message.id;
    } else if (kind === 'email') {
      const missing = ['body', 'subject', 'from'].filter(
        (f) => typeof body[f] !== 'string' || body[f] === '',
      );
      if (missing.length > 0)
        throw metaError(
          400,
          `without transactional_message_id, ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required`,
        );
    } else {
      throw metaError(400, 'transactional_message_id is required');
    }
    if ((kind === 'email' || kind === 'sms') && (typeof body['to'] !== 'string' || body['to'] === '')) {
      throw metaError(400, 'to is required');
    }
    if (kind === 'email') {
      const recipients = [body['to'], body['bcc']]
        .filter((v): v is string => typeof v === 'string')
        .flatMap((v) => v.split(','))
        .filter((v) => v.trim() !== '');
      if (recipients.length > 15) throw metaError(400, 'at most 15 recipients across to and bcc');
      const attachments = body['attachments'];
      if (attachments !== undefined) {
        if (typeof attachments !== 'object' || attachments === null)
          throw metaError(400, 'attachments must be an object');
        let total = 0;
        for (const content of Object.values(attachments)) {
          if (typeof content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(content))
            throw metaError(400, 'attachments must be base64 encoded');
          total += Buffer.byteLength(content, 'base64');
        }
        if (total > 2 * 1024 * 1024) throw metaError(413, 'attachments are larger than 2 MB in total');
      }
    }
    const delivery: Delivery = {
      delivery_id: `emu-${kind}-${(this.deliveries.length + 1).toString().padStart(6, '0')}`,
      kind,
      transactional_message_id: messageId,
      identifiers: { [identifier[0]]: String(identifier[1]) },
      to: typeof body['to'] === 'string' ? body['to'] : null,
      subject: typeof body['subject'] === 'string' ? body['subject'] : null,
      queued_at: now(),
    };
    this.deliveries.push(delivery);
    this.onDelivery?.(delivery);
    return delivery;
  }

  broadcast(id: number): Broadcast | undefined {
    return this.broadcasts.find((b) => b.id === id);
  }

  /**
   * `POST /v1/campaigns/{broadcast_id}/triggers`. Recipients must already exist; missing ones are
   * reported through the trigger's errors (unless `*_ignore_missing`), never created (§3.5).
   */
  triggerBroadcast(broadcastId: number, body: Record<string, unknown>): BroadcastTrigger {
    const errors: string[] = [];
    const ids = Array.isArray(body['ids']) ? (body['ids'] as unknown[]) : [];
    const emails = Array.isArray(body['emails']) ? (body['emails'] as unknown[]) : [];
    ids.forEach((id, index) => {
      if (body['id_ignore_missing'] !== true && this.find('id', String(id)) === undefined) {
        errors.push(`line ${index + 1}: customer with id ${String(id)} not found`);
      }
    });
    emails.forEach((email, index) => {
      if (body['email_ignore_missing'] !== true && this.find('email', String(email)) === undefined) {
        errors.push(`line ${index + 1}: customer with email ${String(email)} not found`);
      }
    });
    const at = now();
    const trigger: BroadcastTrigger = {
      id: this.triggers.filter((t) => t.broadcast_id === broadcastId).length + 1,
      broadcast_id: broadcastId,
      created_at: at,
      processed_at: at,
      errors,
    };
    this.triggers.push(trigger);
    return trigger;
  }

  personView(person: Person): Record<string, unknown> {
    return {
      cio_id: person.cio_id,
      id: person.id,
      email: person.email,
      attributes: { ...person.attributes },
      devices: person.devices.map((d) => ({ ...d })),
      suppressed: person.suppressed,
    };
  }
}
