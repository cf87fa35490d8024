/**
 * A form drawn from a connector's `configSchema`: objects become fieldsets, unions of
 * objects a selector, records key/value rows, `writeOnly` fields password inputs that
 * keep the saved (masked) secret unless something new is typed.
 */
import { useId, useState, type ReactNode } from 'react';
import { CopyButton } from '../ui/CopyButton.js';
import { RevealButton } from '../ui/SecretValue.js';
import { branchConst, discriminator, enumValues, humanize, initialValue, isMasked, kindOf, labelOf, pickBranch, properties, requiredOf, resolve, unionBranches, type Schema, type Value } from './schema.js';

export interface SchemaFormProps {
  schema: Schema;
  value: Record<string, Value>;
  onChange(value: Record<string, Value>): void;
  /** Messages by config path (`auth.pass`). */
  errors: Record<string, string[]>;
  /** The saved masked secrets by path, kept when their input is left empty. */
  masked: Record<string, string>;
  /** Destination fields changed from the saved config: saved secrets are then not reused. */
  moved?: string[];
  /** Labels for people by config path (`auth.pass` → "Password"), over the schema's own. */
  labels?: Record<string, string>;
  /** Fields picked from a list (a DKIM key) instead of typed, by config path. */
  choices?: Record<string, Choice[]>;
}

export interface Choice {
  value: string;
  label: string;
}

interface Ctx {
  root: Schema;
  errors: Record<string, string[]>;
  masked: Record<string, string>;
  moved: string[];
  idBase: string;
  labels: Record<string, string>;
  choices: Record<string, Choice[]>;
}

export function SchemaForm({ schema, value, onChange, errors, masked, moved = [], labels = {}, choices = {} }: SchemaFormProps) {
  const idBase = useId().replace(/:/g, '');
  const ctx: Ctx = { root: schema, errors, masked, moved, idBase, labels, choices };
  return (
    <div className="schema-form">
      <ObjectFields schema={schema} path="" value={value} onChange={(v) => onChange(v as Record<string, Value>)} ctx={ctx} />
    </div>
  );
}

const fieldId = (ctx: Ctx, path: string) => `${ctx.idBase}-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const asObj = (v: Value): Record<string, Value> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>) : {});

function ObjectFields({ schema, path, value, onChange, ctx, skip }: { schema: Schema; path: string; value: Value; onChange(v: Value): void; ctx: Ctx; skip?: string }) {
  const obj = asObj(value);
  const req = requiredOf(schema);
  return (
    <>
      {properties(schema)
        .filter(([k]) => k !== skip)
        .map(([k, raw]) => (
          <Field key={k} name={k} path={join(path, k)} schema={resolve(raw, ctx.root)} required={req.has(k)} value={obj[k]} ctx={ctx} onChange={(v) => onChange({ ...obj, [k]: v })} />
        ))}
    </>
  );
}

interface FieldProps {
  name: string;
  path: string;
  schema: Schema;
  required: boolean;
  value: Value;
  onChange(v: Value): void;
  ctx: Ctx;
}

function Errors({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <p className="field-error" id={id}>
      {messages.join(' ')}
    </p>
  );
}

function Label({ htmlFor, text, required }: { htmlFor: string; text: string; required: boolean }) {
  return (
    <label htmlFor={htmlFor}>
      {text}
      {required ? (
        <span className="required" title="required">
          {' '}
          *<span className="visually-hidden"> (required)</span>
        </span>
      ) : null}
    </label>
  );
}

function Field(props: FieldProps) {
  const { name, path, schema, required, ctx } = props;
  const kind = kindOf(schema, ctx.root);
  const label = ctx.labels[path] ?? labelOf(name, schema);
  const help = typeof schema.description === 'string' ? schema.description : undefined;
  const errs = ctx.errors[path];
  if (kind === 'const') return null;
  if (kind === 'object' || kind === 'union' || kind === 'record') {
    const body = (
      <>
        {help ? <p className="help">{help}</p> : null}
        <Errors id={`${fieldId(ctx, path)}-err`} messages={errs} />
        {kind === 'object' ? <ObjectFields {...props} /> : kind === 'union' ? <UnionFields {...props} /> : <RecordFields {...props} />}
      </>
    );
    if (!required && kind !== 'union') return <OptionalGroup {...props} label={label} body={body} />;
    return (
      <fieldset className="group">
        <legend>
          {label}
          {required ? <span className="required"> *</span> : null}
        </legend>
        {body}
      </fieldset>
    );
  }
  const id = fieldId(ctx, path);
  const describedBy = [help ? `${id}-help` : '', errs?.length ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common: Common = { id, 'aria-describedby': describedBy, 'aria-invalid': errs?.length ? true : undefined, 'aria-required': required ? true : undefined };
  const input = <Input {...props} common={common} />;
  return (
    <div className={`field field-${kind}${errs?.length ? ' invalid' : ''}`}>
      {kind === 'boolean' && schema.default !== undefined ? (
        <div className="check">
          {input}
          <Label htmlFor={id} text={label} required={false} />
        </div>
      ) : (
        <>
          <Label htmlFor={id} text={label} required={required} />
          {input}
        </>
      )}
      {help ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      <Errors id={`${id}-err`} messages={errs} />
    </div>
  );
}

/**
 * An optional section (`tls`, `dkim`, `pool`, `templateIds`) folds away while it holds
 * only its defaults, and opens by itself when one of its fields has an error.
 */
function OptionalGroup({ schema, value, path, ctx, label, body }: FieldProps & { label: string; body: ReactNode }) {
  const [open, setOpen] = useState(() => JSON.stringify(value ?? {}) !== JSON.stringify(initialValue(schema, ctx.root) ?? {}));
  const hasErrors = Object.keys(ctx.errors).some((p) => p === path || p.startsWith(`${path}.`));
  return (
    <details className="group" open={open || hasErrors} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {label} <span className="muted">(optional)</span>
      </summary>
      {body}
    </details>
  );
}

type Common = { id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined; 'aria-required': true | undefined };

function Input({ schema, value, onChange, ctx, required, path, name, common }: FieldProps & { common: Common }) {
  const kind = kindOf(schema, ctx.root);
  const choices = ctx.choices[path];
  if (choices && kind === 'string') {
    const current = typeof value === 'string' ? value : '';
    return (
      <select {...common} value={current} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{choices.length ? 'Choose…' : 'None available yet'}</option>
        {current && !choices.some((c) => c.value === current) ? <option value={current}>{current} (not found)</option> : null}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'enum') {
    const options = enumValues(schema, ctx.root);
    return (
      <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        {!required && schema.default === undefined ? <option value="">Not set</option> : null}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'boolean') {
    if (schema.default !== undefined) return <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    // Without a default, "unset" differs from false (the provider's own default applies).
    return (
      <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
        <option value="">Not set (default)</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    );
  }
  if (kind === 'number') {
    return (
      <input
        {...common}
        type="number"
        inputMode="numeric"
        min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
        max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
        step={schema.type === 'integer' ? 1 : 'any'}
        value={typeof value === 'number' ? String(value) : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  }
  if (kind === 'string') {
    const text = typeof value === 'string' ? value : '';
    if (schema.writeOnly === true) return <SecretInput common={common} name={name} value={text} saved={ctx.masked[path]} moved={ctx.moved} onChange={onChange} />;
    if (typeof schema.maxLength === 'number' && schema.maxLength > 5000) {
      return <textarea {...common} rows={4} spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)} />;
    }
    const type = schema.format === 'email' ? 'email' : schema.format === 'uri' ? 'url' : 'text';
    return <input {...common} type={type} spellCheck={false} autoComplete="off" value={text} onChange={(e) => onChange(e.target.value)} />;
  }
  // Anything the form does not model is edited as JSON.
  return <JsonInput common={common} value={value} onChange={onChange} />;
}

function SecretInput({ common, name, value, saved, moved, onChange }: { common: Common; name: string; value: string; saved: string | undefined; moved: string[]; onChange(v: Value): void }) {
  const keeping = isMasked(value);
  const [revealed, setRevealed] = useState(false);
  const [generated, setGenerated] = useState(false);
  const generate = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    onChange(`whsec_${btoa(String.fromCharCode(...bytes))}`);
    setGenerated(true);
    setRevealed(true);
  };
  // A secret typed or generated here can be seen and copied until it is saved; a saved one
  // comes back masked only (it is never sent to the browser again).
  const fresh = !keeping && value !== '';
  return (
    <div className="secret">
      <div className="row">
        <input
          {...common}
          type={revealed && fresh ? 'text' : 'password'}
          className={revealed && fresh ? 'mono' : undefined}
          autoComplete="new-password"
          value={keeping ? '' : value}
          placeholder={keeping ? `${value} (saved; type to replace)` : ''}
          onChange={(e) => {
            setGenerated(false);
            onChange(e.target.value === '' && saved ? saved : e.target.value);
          }}
        />
        {fresh ? <RevealButton revealed={revealed} onToggle={setRevealed} /> : null}
        {fresh ? <CopyButton text={value} label="Copy" selectId={common.id} onFallback={() => setRevealed(true)} /> : null}
        {name === 'signingSecret' ? (
          <button type="button" className="secondary small" onClick={generate}>
            Generate
          </button>
        ) : null}
      </div>
      {generated && fresh ? (
        <p className="notice warning small" role="status">
          Copy this secret now and give it to the receiving service: once saved it is shown only masked.
        </p>
      ) : null}
      {keeping && moved.length ? (
        <p className="field-error" role="status">
          You changed {moved.join(', ')}: enter this secret again. A saved secret is never sent to a new destination.
        </p>
      ) : keeping ? (
        <p className="help">The saved secret ({value}) is kept unless you type a new one.</p>
      ) : null}
    </div>
  );
}

function JsonInput({ common, value, onChange }: { common: Common; value: Value; onChange(v: Value): void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  return (
    <textarea
      {...common}
      rows={3}
      spellCheck={false}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        try {
          onChange(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
        } catch {
          // keep the last valid value until the JSON parses
        }
      }}
    />
  );
}

function UnionFields({ path, schema, value, onChange, ctx }: FieldProps) {
  const branches = unionBranches(schema, ctx.root)!;
  const key = discriminator(branches);
  const index = pickBranch(branches, value);
  const branch = branches[index]!;
  const id = `${fieldId(ctx, path)}-kind`;
  const optionLabel = (b: Schema, i: number) => {
    if (key) {
      const c = branchConst(b, key);
      return c === 'oauth2' ? 'OAuth2' : humanize(c);
    }
    return typeof b.title === 'string' ? b.title : `Option ${i + 1}`;
  };
  return (
    <>
      <div className="field">
        <label htmlFor={id}>{key ? humanize(key) : 'Kind'}</label>
        <select id={id} value={String(index)} onChange={(e) => onChange(initialValue(branches[Number(e.target.value)]!, ctx.root))}>
          {branches.map((b, i) => (
            <option key={i} value={String(i)}>
              {optionLabel(b, i)}
            </option>
          ))}
        </select>
      </div>
      <ObjectFields schema={branch} path={path} value={{ ...(key ? { [key]: branchConst(branch, key) } : {}), ...asObj(value) }} onChange={onChange} ctx={ctx} skip={key} />
    </>
  );
}

function RecordFields({ path, schema, value, onChange, ctx }: FieldProps) {
  const keyChoices = enumValues(resolve(schema.propertyNames, ctx.root), ctx.root);
  const valueSchema = resolve(schema.additionalProperties, ctx.root);
  const [rows, setRows] = useState<[string, Value][]>(() => Object.entries(asObj(value)));
  const emit = (next: [string, Value][]) => {
    setRows(next);
    const out: Record<string, Value> = {};
    for (const [k, v] of next) if (k) out[k] = v;
    onChange(Object.keys(out).length ? out : undefined);
  };
  const used = new Set(rows.map(([k]) => k));
  const free = keyChoices.filter((k) => !used.has(k));
  const base = fieldId(ctx, path);
  return (
    <div className="record">
      {rows.map(([k, v], i) => {
        const rowPath = join(path, k || `#${i}`);
        const keyId = `${base}-k${i}`;
        const valId = fieldId(ctx, rowPath) + `-v${i}`;
        const errs = ctx.errors[rowPath];
        return (
          <div className="record-row" key={i}>
            <div className="field">
              <label htmlFor={keyId}>Key</label>
              {keyChoices.length ? (
                <select id={keyId} value={k} onChange={(e) => emit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}>
                  <option value="">Choose…</option>
                  {[k, ...free].filter(Boolean).map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={keyId} type="text" value={k} onChange={(e) => emit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
              )}
            </div>
            <div className="field">
              <label htmlFor={valId}>Value{k ? ` for ${k}` : ''}</label>
              <input id={valId} type="text" aria-invalid={errs?.length ? true : undefined} value={typeof v === 'string' ? v : v === undefined ? '' : String(v)} onChange={(e) => emit(rows.map((r, j) => (j === i ? [r[0], valueSchema.type === 'number' || valueSchema.type === 'integer' ? Number(e.target.value) : e.target.value] : r)))} />
              <Errors id={`${valId}-err`} messages={errs} />
            </div>
            <button type="button" className="secondary small" aria-label={`Remove ${k || 'row'}`} onClick={() => emit(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="secondary small" disabled={keyChoices.length > 0 && free.length === 0} onClick={() => emit([...rows, [keyChoices.length ? (free[0] ?? '') : '', '']])}>
        Add entry
      </button>
    </div>
  );
}
