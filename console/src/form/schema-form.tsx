/**
 * Renders the field model of `field-model.ts` as an accessible form: each control labelled by the
 * field's label, its description as help text (aria-describedby), required fields marked, the
 * server's validation errors at the field (aria-invalid), and a "Reference" button on every field
 * that puts `{{ $… }}` in place of a value.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  emptyValue,
  fieldFor,
  fieldsOf,
  getAt,
  isReference,
  itemField,
  parseJsonInput,
  parseNumberInput,
  removeAt,
  setAt,
  variantIndex,
  type Field,
} from './field-model.js';
import type { JsonSchema } from '../types.js';

export interface FormContext {
  /** The whole input value. */
  readonly value: unknown;
  readonly onChange: (next: unknown) => void;
  /** Server validation messages by the pointer inside the input. */
  readonly errors: ReadonlyMap<string, readonly string[]>;
  /** Opens the reference picker for a field; the chosen expression is given to `insert`. */
  readonly pickReference: (label: string, insert: (expression: string) => void) => void;
  /** A prefix making element ids unique on the page. */
  readonly idPrefix: string;
}

const idOf = (ctx: FormContext, field: Field): string =>
  `${ctx.idPrefix}${field.pointer.replace(/[^A-Za-z0-9_-]/g, '_') || '_root'}`;

export function SchemaForm(props: { schema: JsonSchema; context: FormContext }) {
  const fields = fieldsOf(props.schema);
  const rootErrors = props.context.errors.get('') ?? [];
  if (fields.length === 0)
    return (
      <FieldView
        context={props.context}
        field={{
          kind: 'json',
          key: 'input',
          path: [],
          pointer: '',
          label: 'Input',
          description: 'The operation input as JSON.',
          required: true,
          schema: props.schema,
        }}
      />
    );
  return (
    <div class="schema-form">
      {rootErrors.length > 0 ? (
        <p class="field-error" role="alert">
          {rootErrors.join('; ')}
        </p>
      ) : null}
      {fields.map((f) => (
        <FieldView key={f.pointer} field={f} context={props.context} />
      ))}
    </div>
  );
}

function Help(props: { id: string; field: Field; errors: readonly string[] }) {
  return (
    <>
      {props.field.description === undefined ? null : (
        <p class="help" id={`${props.id}-help`}>
          {props.field.description}
        </p>
      )}
      {props.errors.length === 0 ? null : (
        <p class="field-error" id={`${props.id}-error`}>
          {props.errors.join('; ')}
        </p>
      )}
    </>
  );
}

function describedBy(id: string, field: Field, errors: readonly string[]): string | undefined {
  const ids = [
    ...(field.description === undefined ? [] : [`${id}-help`]),
    ...(errors.length === 0 ? [] : [`${id}-error`]),
  ];
  return ids.length === 0 ? undefined : ids.join(' ');
}

function Label(props: { id: string; field: Field; as?: 'legend' | 'label' }) {
  const content = (
    <>
      {props.field.label}
      {props.field.required ? (
        <span class="required" aria-hidden="true">
          {' '}
          *
        </span>
      ) : null}
    </>
  );
  return props.as === 'legend' ? (
    <legend id={`${props.id}-label`}>{content}</legend>
  ) : (
    <label for={props.id} id={`${props.id}-label`}>
      {content}
    </label>
  );
}

/** Named "Insert reference", described by the field's label (so the label names only the control). */
function ReferenceButton(props: { ctx: FormContext; field: Field; onInsert: (expression: string) => void }) {
  return (
    <button
      type="button"
      class="ref-button"
      aria-label="Insert reference"
      aria-describedby={`${idOf(props.ctx, props.field)}-label`}
      title="Insert a reference to the trigger or an earlier step"
      onClick={() => props.ctx.pickReference(props.field.label, props.onInsert)}
    >
      {'{ }'}
    </button>
  );
}

function FieldView(props: { field: Field; context: FormContext }): ComponentChildren {
  const { field, context: ctx } = props;
  const id = idOf(ctx, field);
  const value = getAt(ctx.value, field.path);
  const errors = ctx.errors.get(field.pointer) ?? [];
  const set = (next: unknown): void => ctx.onChange(setAt(ctx.value, field.path, next));
  const invalid = errors.length > 0 ? { 'aria-invalid': true as const } : {};
  const described = describedBy(id, field, errors);
  const aria = { ...invalid, ...(described === undefined ? {} : { 'aria-describedby': described }) };
  const insert = (expression: string): void => {
    // Into a text field: at the end of what is there (text with references); anything else: replaced.
    if (field.kind === 'string' && typeof value === 'string' && value !== '') set(`${value}${expression}`);
    else set(expression);
  };

  // A single-control field: its label and reference button, the control, then its help and errors.
  const framed = (control: ComponentChildren) => (
    <div class="field">
      <div class="field-head">
        <Label id={id} field={field} />
        <ReferenceButton ctx={ctx} field={field} onInsert={insert} />
      </div>
      {control}
      <Help id={id} field={field} errors={errors} />
    </div>
  );

  // A reference in a field of another type: shown as the text it is, with a way back.
  if (field.kind !== 'string' && isReference(value)) {
    return framed(
      <>
        <div class="with-button">
          <input id={id} class="mono" value={value} {...aria} onInput={(e) => set(e.currentTarget.value)} />
          <button type="button" class="small" onClick={() => set(emptyValue(field.schema))}>
            Use a value
          </button>
        </div>
      </>,
    );
  }

  switch (field.kind) {
    case 'string':
      return framed(
        <>
          {field.multiline ? (
            <textarea
              id={id}
              rows={4}
              value={typeof value === 'string' ? value : ''}
              required={field.required}
              {...aria}
              onInput={(e) =>
                set(e.currentTarget.value === '' && !field.required ? undefined : e.currentTarget.value)
              }
            />
          ) : (
            <input
              id={id}
              class={isReference(value) ? 'mono' : undefined}
              value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
              required={field.required}
              {...aria}
              onInput={(e) =>
                set(e.currentTarget.value === '' && !field.required ? undefined : e.currentTarget.value)
              }
            />
          )}
        </>,
      );
    case 'number':
    case 'integer':
      return framed(
        <>
          <input
            id={id}
            inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
            value={typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''}
            required={field.required}
            {...aria}
            onInput={(e) => set(parseNumberInput(e.currentTarget.value, field.kind === 'integer'))}
          />
        </>,
      );
    case 'boolean':
      return framed(
        <>
          <select
            id={id}
            value={value === true ? 'true' : value === false ? 'false' : ''}
            {...aria}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set(v === '' ? undefined : v === 'true');
            }}
          >
            <option value="">{field.required ? 'Choose…' : 'Not set'}</option>
            <option value="true">Yes (true)</option>
            <option value="false">No (false)</option>
          </select>
        </>,
      );
    case 'enum': {
      const index = field.options.findIndex((o) => o.value === value);
      return framed(
        <>
          <select
            id={id}
            value={index < 0 ? '' : String(index)}
            required={field.required}
            {...aria}
            onChange={(e) => {
              const i = e.currentTarget.value;
              set(i === '' ? undefined : field.options[Number(i)]?.value);
            }}
          >
            <option value="">{field.required ? 'Choose…' : 'Not set'}</option>
            {field.options.map((o, i) => (
              <option key={o.label} value={String(i)}>
                {o.label}
              </option>
            ))}
          </select>
        </>,
      );
    }
    case 'object':
      return (
        <fieldset class="field group" aria-labelledby={`${id}-label`} {...aria}>
          <div class="field-head">
            <Label id={id} field={field} as="legend" />
            <ReferenceButton ctx={ctx} field={field} onInsert={insert} />
          </div>
          <Help id={id} field={field} errors={errors} />
          {field.fields.map((f) => (
            <FieldView key={f.pointer} field={f} context={ctx} />
          ))}
        </fieldset>
      );
    case 'array': {
      const items = Array.isArray(value) ? (value as unknown[]) : [];
      return (
        <fieldset class="field group" aria-labelledby={`${id}-label`} {...aria}>
          <div class="field-head">
            <Label id={id} field={field} as="legend" />
            <ReferenceButton ctx={ctx} field={field} onInsert={insert} />
          </div>
          <Help id={id} field={field} errors={errors} />
          {items.map((_, i) => {
            const item = itemField(field, i);
            return (
              <div class="array-item" key={item.pointer}>
                <FieldView field={item} context={ctx} />
                <button
                  type="button"
                  class="small danger"
                  aria-label={`Remove ${item.label}`}
                  onClick={() => ctx.onChange(removeAt(ctx.value, item.path))}
                >
                  Remove
                </button>
              </div>
            );
          })}
          <button
            type="button"
            class="small"
            onClick={() => set([...items, emptyValue(field.items) ?? null])}
          >
            Add {field.label.toLowerCase()} item
          </button>
        </fieldset>
      );
    }
    case 'variants': {
      const chosen = variantIndex(field.variants, value);
      const variant = field.variants[chosen];
      const inner = variant === undefined ? undefined : fieldFor_(variant.schema, field);
      return (
        <fieldset class="field group" aria-labelledby={`${id}-label`} {...aria}>
          <div class="field-head">
            <Label id={id} field={field} as="legend" />
            <ReferenceButton ctx={ctx} field={field} onInsert={insert} />
          </div>
          <Help id={id} field={field} errors={errors} />
          <label class="variant-label" for={`${id}-variant`}>
            {field.label}: kind
          </label>
          <select
            id={`${id}-variant`}
            value={String(chosen)}
            onChange={(e) => {
              const v = field.variants[Number(e.currentTarget.value)];
              if (v !== undefined) set(emptyValue(v.schema));
            }}
          >
            {field.variants.map((v, i) => (
              <option key={v.label} value={String(i)}>
                {v.label}
              </option>
            ))}
          </select>
          {inner === undefined ? null : <FieldView field={inner} context={ctx} />}
        </fieldset>
      );
    }
    case 'json':
      return (
        <JsonField field={field} id={id} value={value} set={set} errors={errors} ctx={ctx} insert={insert} />
      );
  }
}

/** The field of a chosen variant: the same place and label, the variant's schema. */
function fieldFor_(schema: JsonSchema, parent: Field): Field {
  const f = fieldFor(schema, parent.key, parent.path, parent.required);
  return { ...f, label: `${parent.label} value`, description: schema.description };
}

function JsonField(props: {
  field: Field;
  id: string;
  value: unknown;
  set: (v: unknown) => void;
  errors: readonly string[];
  ctx: FormContext;
  insert: (expression: string) => void;
}) {
  const { field, id, value, set, errors } = props;
  const serialised = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(serialised);
  const [problem, setProblem] = useState<string | undefined>();
  // Follow changes made elsewhere (a reference inserted, a variant switched).
  useEffect(() => {
    const parsed = parseJsonInput(text);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(serialised);
      setProblem(undefined);
    }
  }, [serialised]);
  const all = problem === undefined ? errors : [`Not valid JSON: ${problem}`, ...errors];
  const described = describedBy(id, field, all);
  return (
    <div class="field">
      <div class="field-head">
        <Label id={id} field={field} />
        <ReferenceButton ctx={props.ctx} field={field} onInsert={props.insert} />
      </div>
      <textarea
        id={id}
        class="mono"
        rows={Math.min(10, Math.max(3, text.split('\n').length))}
        spellcheck={false}
        value={text}
        placeholder='{ "key": "value" }'
        {...(all.length > 0 ? { 'aria-invalid': true } : {})}
        {...(described === undefined ? {} : { 'aria-describedby': described })}
        onInput={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          const parsed = parseJsonInput(next);
          if (parsed.ok) {
            setProblem(undefined);
            set(parsed.value);
          } else setProblem(parsed.message);
        }}
      />
      <Help id={id} field={field} errors={all} />
    </div>
  );
}
