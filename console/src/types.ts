/** The API's shapes as the console reads them (see src/server/routes and docs/server.md). */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema as the registry serves it (plain JSON). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

export interface User {
  id: number | string;
  email: string;
  name: string | null;
  role: 'admin' | 'member';
}

export interface Condition {
  path: string;
  equals?: unknown;
  not_equals?: unknown;
  exists?: boolean;
  not_exists?: boolean;
  gt?: number | string;
  lt?: number | string;
  contains?: unknown;
}

export interface Step {
  id: string;
  name?: string;
  when?: Condition;
  on_error?: 'fail' | 'continue';
  operation?: string;
  version?: string;
  authentication?: string;
  input?: unknown;
  timeout_ms?: number;
  retries?: number;
  for_each?: string;
  concurrency?: number;
  steps?: Step[];
}

export type TriggerType = 'manual' | 'webhook' | 'schedule' | 'customerio_webhook';

export interface Trigger {
  type: TriggerType;
  respond?: 'immediately' | 'when_finished';
  cron?: string;
  timezone?: string;
  [key: string]: unknown;
}

export interface WorkflowDocument {
  $schema?: string;
  name: string;
  description?: string;
  trigger: Trigger;
  steps: Step[];
  output?: unknown;
}

export interface RunSummaryLink {
  id: string;
  status: RunStatus;
  created_at: string;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  owner: string;
  visibility: 'private' | 'organisation';
  version: number;
  created_at: string;
  updated_at: string;
  trigger: { type: string; webhook_url?: string; schedule?: { next_run_at: string | null } };
  trigger_type?: string;
  last_run?: RunSummaryLink | null;
}

export interface WorkflowView extends WorkflowSummary {
  document: WorkflowDocument;
}

export interface OperationSummary {
  id: string;
  connector: string;
  connector_name: string;
  version: string;
  title: string;
  description: string;
  method: string;
  path: string;
  safety: { idempotent: boolean; destructive: boolean; rate_bucket: string };
}

export interface OperationDetail extends OperationSummary {
  input_schema: JsonSchema;
  output_schema: JsonSchema;
  examples: { summary: string; input: unknown }[];
}

export interface Connector {
  id: string;
  name: string;
  title: string;
  version: string;
  description: string;
  auth: string;
  credential_fields: { key: string; label: string; secret: boolean }[];
  operations: number;
}

export interface Authentication {
  id: string;
  name: string;
  connector: string;
  scope: string;
  owner: string;
  region: string;
  base_url: string | null;
  key: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
  last_test: { at: string; ok: boolean; message: string } | null;
}

export interface TestReport {
  ok: boolean;
  message: string;
  account_region?: string;
  fix?: string;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ErrorJson {
  type: string;
  message: string;
  hint?: string;
  status?: number;
  issues?: ValidationIssue[];
  body?: unknown;
  step?: string;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'delivery_unknown';

export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  response?: { status: number; headers: Record<string, string>; body?: unknown };
  error?: string;
  duration_ms: number;
}

export interface StepRun {
  key: string;
  id: string;
  parent: string | null;
  index: number | null;
  operation: string | null;
  authentication: string | null;
  status: StepStatus;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  input: unknown;
  output: unknown;
  error: ErrorJson | null;
  requests: Exchange[];
  generated_ids: string[];
  reused_from: string | null;
}

export interface Run {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: RunStatus;
  trigger: { type: string; body: unknown; headers: Record<string, string>; query: Record<string, string> };
  replay_of: string | null;
  output: unknown;
  error: ErrorJson | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  steps: StepRun[];
}

export type RunSummary = Omit<Run, 'steps'>;

export interface Member extends User {
  created_at: string;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ConsoleConfig {
  regions: string[];
  emulatorUrl: string | null;
  version: string;
}
