/**
 * Builds the data of every operation in the official specs that has no hand-curated operation:
 * names, titles, flat input schemas (path + query + body fields), output schemas, safety flags and
 * an example. Written to src/operations/generated/ by `npm run gen`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SpecOperationData } from '../../src/operations/spec-operation.js';
import type { HttpMethod, RateBucket } from '../../src/operations/types.js';
import { SchemaConverter } from './openapi-to-schema.js';
import { sampleOf } from '../../src/schema-sample.js';

type Json = Record<string, unknown>;

export interface SpecSource {
  file: string;
  connector: 'track' | 'app';
  /** Removed from spec paths to get paths under the connector's base URL. */
  basePath: string;
}

/** Spec operations that a hand-written operation in the registry already covers. */
export const CURATED: Readonly<Record<string, string>> = {
  'track.json#identify': 'track.create_or_update_customer',
  'track.json#delete': 'track.delete_customer',
  'track.json#track': 'track.track_custom_event',
  'track.json#entity': 'track.send_entity',
  'track.json#batch': 'track.send_batch',
  'app-2025-07.json#sendEmail': 'app.send_transactional_email',
  'app-2025-07.json#triggerBroadcast': 'app.trigger_broadcast',
};

/** Names where the summary does not make a good one. */
const NAMES: Readonly<Record<string, string>> = {
  getRegion: 'get_account_region',
  add_device: 'add_device',
  delete_device: 'delete_device',
  suppress: 'suppress_customer',
  unsuppress: 'unsuppress_customer',
  unsubscribe: 'unsubscribe',
  trackAnonymous: 'track_anonymous_event',
  submitForm: 'submit_form',
  merge: 'merge_customers',
  metrics: 'report_metrics',
  pushMetrics: 'report_push_metrics',
  add_to_segment: 'add_customers_to_segment',
  remove_from_segment: 'remove_customers_from_segment',
  getPersonAttributes: 'get_customer_attributes',
  getCustomersByEmail: 'get_customers_by_email',
  getCioAllowlist: 'list_ip_addresses',
  getCampaigns: 'get_campaign',
  getNewsletters: 'get_newsletter',
  deletetNewsletters: 'delete_newsletter',
  getSuppression: 'get_esp_suppression',
  getSuppressionByType: 'list_esp_suppressions',
  postSuppression: 'add_esp_suppression',
  deleteSuppression: 'delete_esp_suppression',
  import: 'create_import',
  getImport: 'get_import',
  broadcastStatus: 'get_broadcast_trigger',
  broadcastErrors: 'list_broadcast_trigger_errors',
  listBroadcastTriggers: 'list_broadcast_triggers',
  getObjectsFilter: 'find_objects',
  getNewsletterTestGroups: 'list_newsletter_test_groups',
};

/** Shorter or more regular names for what the summaries produce. */
const NAME_FIXES: Readonly<Record<string, string>> = {
  lookup_customers_relationships: 'get_customer_relationships',
  lookup_customers_segments: 'list_customer_segments',
  lookup_messages_sent_to_customer: 'list_customer_messages',
  lookup_customers_activities: 'list_customer_activities',
  lookup_customers_subscription_preferences: 'get_customer_subscription_preferences',
  list_customers_attributes_and_devices: 'get_customers_attributes',
  search_for_customers: 'search_customers',
  lookup_collection: 'get_collection',
  lookup_collection_contents: 'get_collection_contents',
  update_contents_of_collection: 'update_collection_contents',
  get_segments_dependencies: 'get_segment_dependencies',
  get_sender: 'get_sender_identity',
  get_sender_usage_data: 'get_sender_identity_usage',
  export_information_about_deliveries: 'export_deliveries',
  export_customer_data: 'export_customers',
  list_all_variants_of_transactional_message: 'list_transactional_message_variants',
  get_messages_for_broadcast: 'list_broadcast_messages',
  get_link_metrics_for_action: 'get_campaign_action_link_metrics',
  get_metrics_for_variant: 'get_newsletter_variant_metrics',
  update_webhook_configuration: 'update_reporting_webhook',
  get_campaign_message_metadata: 'list_campaign_messages',
  get_newsletter_message_metadata: 'list_newsletter_messages',
  get_transactional_message_deliveries: 'list_transactional_message_deliveries',
};

/**
 * Descriptions of input fields the spec leaves without one (ours, from the spec's surrounding text):
 * every flag of the CLI and every field of `cioc describe` says what it is.
 */
const SILENT_FIELDS: Readonly<Record<string, string>> = {
  'app-2025-07.json#getObjectRelationships/id_type':
    "What `object_id` is: the object's own `object_id` (the default) or its `cio_object_id`.",
  'app-2025-07.json#getObjectAttributes/id_type':
    "What `object_id` is: the object's own `object_id` (the default) or its `cio_object_id`.",
  'app-2025-07.json#createManSegment/segment':
    'The manual segment to create: its `name` and a `description`.',
};

/** A union's branches that all say the same thing (an import's variants): that is its description. */
function sharedDescription(schema: Json): string | undefined {
  const branches = (schema['anyOf'] as Json[] | undefined) ?? [];
  const texts = new Set(branches.map((b) => b['description']));
  const [only] = texts;
  return texts.size === 1 && typeof only === 'string' && only !== '' ? only : undefined;
}

/** POSTs that only read, so they may be retried. */
const READ_ONLY_POSTS = new Set([
  'searchCustomers',
  'getPeopleFilter',
  'getObjectsFilter',
  'getPeopleById',
  'postSuppression',
]);

function snake(text: string): string {
  return text
    .replace(/'s\b/g, 's')
    .replace(/\b(a|an|the|your)\b/gi, ' ')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/ +/g, '_');
}

const sample = (schema: Json | undefined, name: string): unknown => sampleOf(schema ?? {}, 'request', name);

export function buildSpecOperations(referenceDir: string, source: SpecSource): SpecOperationData[] {
  const document = JSON.parse(readFileSync(resolve(referenceDir, source.file), 'utf8')) as Json;
  const converter = new SchemaConverter(document);
  const out: SpecOperationData[] = [];
  const names = new Set<string>();
  for (const [specPath, pathItemRaw] of Object.entries(document['paths'] as Record<string, Json>)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = pathItemRaw[method] as Json | undefined;
      if (operation === undefined) continue;
      const operationId = String(operation['operationId']);
      if (CURATED[`${source.file}#${operationId}`] !== undefined) continue;
      const summary = textOf(operation['summary'], operationId).trim();
      const fromSummary = snake(summary);
      const name = NAMES[operationId] ?? NAME_FIXES[fromSummary] ?? fromSummary;
      if (names.has(name))
        throw new Error(`duplicate operation name ${source.connector}.${name} (${operationId})`);
      names.add(name);
      const fromOrigin = !specPath.startsWith(source.basePath);
      const path = fromOrigin ? specPath : specPath.slice(source.basePath.length);

      const properties: Record<string, Json> = {};
      const required: string[] = [];
      const query: string[] = [];
      const parameters = [
        ...((pathItemRaw['parameters'] as Json[] | undefined) ?? []),
        ...((operation['parameters'] as Json[] | undefined) ?? []),
      ].map((p) => converter.deref(p));
      for (const parameter of parameters) {
        const where = parameter['in'];
        if (where !== 'path' && where !== 'query') continue;
        const pname = String(parameter['name']);
        const schema = converter.convert(parameter['schema'] ?? { type: 'string' });
        const description =
          typeof parameter['description'] === 'string'
            ? parameter['description'].trim()
            : schema['description'];
        properties[pname] = { ...schema, ...(description === undefined ? {} : { description }) };
        if (where === 'path' || parameter['required'] === true) required.push(pname);
        if (where === 'query') query.push(pname);
      }

      let body: string[] | null = null;
      let bodyRequired = false;
      let wholeBody: string | undefined;
      const exampleExtra: string[] = [];
      const requestBody =
        operation['requestBody'] === undefined
          ? undefined
          : converter.deref(operation['requestBody'] as Json);
      const bodySchemaRaw = (requestBody?.['content'] as Record<string, Json> | undefined)?.[
        'application/json'
      ]?.['schema'];
      if (bodySchemaRaw !== undefined) {
        // A JSON body the spec defines is always sent, if only as `{}` (some routes require the
        // Content-Type, e.g. Track's /unsubscribe).
        bodyRequired = requestBody?.['required'] === true || ['post', 'put', 'patch'].includes(method);
        const bodySchema = converter.convert(bodySchemaRaw);
        const shape = converter.objectShape(bodySchema);
        if (shape === undefined || Object.keys(shape.properties).length === 0) {
          // Not an object of named fields (any JSON, an array): the whole body is one input field.
          properties['body'] = {
            ...bodySchema,
            description: textOf(bodySchema['description'], 'The request body.'),
          };
          if (bodyRequired) required.push('body');
          wholeBody = 'body';
          body = [];
        } else {
          body = [];
          for (const [field, schema] of Object.entries(shape.properties)) {
            // A body field named like a path parameter (an action's `campaign_id`) takes the same value.
            properties[field] ??= schema;
            body.push(field);
          }
          // Fields the body requires are required inputs (the spec rarely marks the body itself required).
          const bodyFields = shape.required.filter((r) => shape.properties[r] !== undefined);
          if (bodyFields.length > 0) bodyRequired = true;
          required.push(...bodyFields);
          // For a union body, the example follows its first variant.
          if (shape.union) {
            const first = converter.objectShape(((bodySchema['anyOf'] as Json[] | undefined) ?? [])[0] ?? {});
            exampleExtra.push(...(first?.required ?? []));
          }
        }
      }

      const responses = (operation['responses'] as Record<string, Json> | undefined) ?? {};
      const success = Object.entries(responses).find(([code]) => /^2/.test(code));
      const successSchema =
        success === undefined
          ? undefined
          : (converter.deref(success[1])['content'] as Record<string, Json> | undefined)?.[
              'application/json'
            ]?.['schema'];
      const output =
        successSchema === undefined
          ? { type: 'object', description: textOf(success?.[1]['description'], 'No content.') }
          : converter.convert(successSchema);

      const upper = method.toUpperCase() as HttpMethod;
      const bucket: RateBucket =
        source.connector === 'track'
          ? 'track'
          : /^\/send\//.test(path)
            ? 'app_transactional'
            : /\/triggers$/.test(path) && upper === 'POST'
              ? 'app_broadcast_trigger'
              : 'app';
      const nonIdempotentPosts =
        source.connector === 'track' ? new Set(['merge', 'metrics', 'pushMetrics']) : undefined;
      const idempotent =
        upper !== 'POST' ||
        READ_ONLY_POSTS.has(operationId) ||
        (nonIdempotentPosts !== undefined && !nonIdempotentPosts.has(operationId));
      const destructive =
        upper === 'DELETE' || ['merge', 'suppress', 'deletetNewsletters'].includes(operationId);
      const autoId = operationId === 'trackAnonymous' ? 'id' : undefined;

      for (const [field, schema] of Object.entries(properties)) {
        if (typeof schema['description'] === 'string' && schema['description'] !== '') continue;
        const description =
          SILENT_FIELDS[`${source.file}#${operationId}/${field}`] ?? sharedDescription(schema);
        if (description === undefined)
          throw new Error(
            `${source.connector}.${name}: the spec gives field ${field} no description; add one to SILENT_FIELDS`,
          );
        properties[field] = { ...schema, description };
      }

      const input: Json = { type: 'object', properties, additionalProperties: false };
      const unique = [...new Set(required)];
      if (unique.length > 0) input['required'] = unique;
      const exampleInput = Object.fromEntries(
        [...new Set([...unique, ...exampleExtra])].map((key) => [key, sample(properties[key] ?? {}, key)]),
      );
      const description =
        textOf(operation['description'], summary)
          .trim()
          .split(/\n\s*\n/)[0]
          ?.replace(/\s+/g, ' ') ?? summary;

      out.push({
        id: `${source.connector}.${name}`,
        connector: source.connector,
        title: summary,
        description,
        method: upper,
        path,
        input,
        output,
        safety: { idempotent, destructive, rateBucket: bucket },
        examples: [{ summary, input: exampleInput }],
        wire: {
          query,
          body,
          bodyRequired,
          ...(autoId === undefined ? {} : { autoId }),
          ...(wholeBody === undefined ? {} : { wholeBody }),
          ...(fromOrigin ? { fromOrigin: true } : {}),
          ...(Array.isArray(operation['security']) &&
          (operation['security'] as unknown[]).length === 0 &&
          fromOrigin
            ? { noAuth: true }
            : {}),
        },
        successStatus: success === undefined ? 200 : Number(success[0]),
        source: { spec: source.file, operationId },
      });
    }
  }
  return out;
}

function textOf(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fallback;
}
