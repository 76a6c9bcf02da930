/**
 * Objects (companies, accounts…) and their relationships with people, from Track v1
 * `cio_relationships`, Track v2 object and relationship actions (customerio-api.md §2.2), read back
 * through the App API.
 */
/** A person as objects know them: by cio_id. */
interface Person {
  cio_id: string;
}

export interface ObjectRecord {
  object_type_id: string;
  object_id: string;
  cio_object_id: string;
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}

/** `{object_type_id, object_id}` or `{cio_object_id}` (the latter only finds existing objects). */
export type ObjectRef = { object_type_id: string; object_id: string } | { cio_object_id: string };

const stored = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export class ObjectStore {
  readonly objects = new Map<string, ObjectRecord>();
  /** Object key → person cio_id → relationship attributes. */
  readonly relationships = new Map<string, Map<string, Record<string, unknown>>>();
  private sequence = 0;

  static key(typeId: string, objectId: string): string {
    return `${typeId}:${objectId}`;
  }

  find(ref: ObjectRef): ObjectRecord | undefined {
    if ('cio_object_id' in ref)
      return [...this.objects.values()].find((o) => o.cio_object_id === ref.cio_object_id);
    return this.objects.get(ObjectStore.key(ref.object_type_id, ref.object_id));
  }

  /** Finds or creates (a `cio_object_id` reference never creates). */
  upsert(ref: ObjectRef): ObjectRecord | undefined {
    const found = this.find(ref);
    if (found !== undefined || 'cio_object_id' in ref) return found;
    this.sequence += 1;
    const record: ObjectRecord = {
      object_type_id: ref.object_type_id,
      object_id: ref.object_id,
      cio_object_id: `obj_${this.sequence.toString(16).padStart(8, '0')}`,
      attributes: {},
      timestamps: {},
    };
    this.objects.set(ObjectStore.key(ref.object_type_id, ref.object_id), record);
    return record;
  }

  /** Sets attributes; `null` or `""` removes one (§2.2). */
  setAttributes(record: ObjectRecord, attributes: Record<string, unknown>, at: number): void {
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === '') {
        Reflect.deleteProperty(record.attributes, name);
        Reflect.deleteProperty(record.timestamps, name);
      } else {
        record.attributes[name] = stored(value);
        record.timestamps[name] = at;
      }
    }
  }

  delete(ref: ObjectRef): void {
    const record = this.find(ref);
    if (record === undefined) return;
    const key = ObjectStore.key(record.object_type_id, record.object_id);
    this.objects.delete(key);
    this.relationships.delete(key);
  }

  relate(
    person: Person,
    ref: ObjectRef,
    attributes: Record<string, unknown> | undefined,
    add: boolean,
  ): void {
    const record = add ? this.upsert(ref) : this.find(ref);
    if (record === undefined) return;
    const key = ObjectStore.key(record.object_type_id, record.object_id);
    let people = this.relationships.get(key);
    if (people === undefined) {
      people = new Map();
      this.relationships.set(key, people);
    }
    if (add) people.set(person.cio_id, { ...(people.get(person.cio_id) ?? {}), ...attributes });
    else people.delete(person.cio_id);
  }

  /** The objects a person is related to, with the relationship's attributes. */
  of(person: Person): { object: ObjectRecord; attributes: Record<string, unknown> }[] {
    const out: { object: ObjectRecord; attributes: Record<string, unknown> }[] = [];
    for (const [key, people] of this.relationships) {
      const attributes = people.get(person.cio_id);
      const object = this.objects.get(key);
      if (attributes !== undefined && object !== undefined) out.push({ object, attributes });
    }
    return out;
  }

  forget(person: Person): void {
    for (const people of this.relationships.values()) people.delete(person.cio_id);
  }

  clear(): void {
    this.objects.clear();
    this.relationships.clear();
    this.sequence = 0;
  }
}

/** Reads `{identifiers, relationship_attributes}` entries of a person's relationships. */
export function objectRefOf(identifiers: unknown): ObjectRef | undefined {
  if (typeof identifiers !== 'object' || identifiers === null) return undefined;
  const ids = identifiers as Record<string, unknown>;
  if (typeof ids['cio_object_id'] === 'string') return { cio_object_id: ids['cio_object_id'] };
  if (
    (typeof ids['object_type_id'] === 'string' || typeof ids['object_type_id'] === 'number') &&
    typeof ids['object_id'] === 'string'
  ) {
    return { object_type_id: String(ids['object_type_id']), object_id: ids['object_id'] };
  }
  return undefined;
}
