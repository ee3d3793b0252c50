import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useState } from 'react';
import { type SchemaPlan, type SyncAnswer, downloadText, schemaApi } from '../../api/schema.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyButton } from '../../components/copy-button.js';
import { TextArea } from '../../components/form.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, Card, ErrorBanner, Notice, PageHeader } from '../../components/ui.js';
import { ApiError } from '../../lib/api-client.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';
import '../../styles/schema.css';

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'project';

/** "Types" and "zod" downloads of the generated files (any member). */
export function TypesButtons() {
  const api = useApi();
  const { projectId } = useProject();
  const toast = useToast();
  const [busy, setBusy] = useState<'ts' | 'zod' | null>(null);
  const download = async (format: 'ts' | 'zod') => {
    setBusy(format);
    try {
      const text = await schemaApi.types(api, projectId, format);
      downloadText(format === 'zod' ? 'urbackend.zod.ts' : 'urbackend.d.ts', text, 'text/typescript');
    } catch (err) {
      toast(err instanceof Error ? err.message : 'Download failed', 'error');
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <Button
        busy={busy === 'ts'}
        onClick={() => void download('ts')}
        title="TypeScript types of every collection (urbackend.d.ts)"
      >
        Types
      </Button>
      <Button
        busy={busy === 'zod'}
        onClick={() => void download('zod')}
        title="zod schemas of every collection (urbackend.zod.ts)"
      >
        zod
      </Button>
    </>
  );
}

const rules = (r?: Record<string, unknown>) =>
  r
    ? Object.entries(r)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(', ')
    : '';

/** The plan of a dry run, as a reviewer reads it. */
export function PlanView({ plan }: { plan: SchemaPlan }) {
  const { added, changed, removed, unchanged } = plan.collections;
  return (
    <div className="stack" data-testid="schema-plan">
      {plan.blocked && (
        <Notice kind="warning">
          This schema cannot be applied: a unique field has duplicate values (below). Remove or change the duplicates first.
        </Notice>
      )}
      {plan.changes === 0 && <Notice kind="success">No changes: the project already has this schema.</Notice>}
      {added.map((c) => (
        <div key={`a-${c.name}`}>
          <Badge tone="good">new</Badge> <strong>{c.name}</strong>{' '}
          <span className="muted">
            fields {c.fields.join(', ') || '—'}
            {c.documents > 0 ? ` · ${c.documents} stored document(s) served again` : ''}
          </span>
        </div>
      ))}
      {changed.map((c) => (
        <div key={`c-${c.name}`}>
          <Badge tone="info">changed</Badge> <strong>{c.name}</strong>
          {c.reordered && <span className="muted"> (field order only)</span>}
          <ul className="plan-fields">
            {c.fields.map((f) => (
              <li key={`${f.change}-${f.path}`}>
                <code>{f.path}</code> {f.change === 'added' && <span>added ({rules(f.to)})</span>}
                {f.change === 'removed' && <span>removed (stored values stay)</span>}
                {f.change === 'changed' && (
                  <span>
                    {rules(f.from)} → {rules(f.to)}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
      {removed.map((c) => (
        <div key={`r-${c.name}`}>
          <Badge tone="warn">no longer served</Badge> <strong>{c.name}</strong>{' '}
          <span className="muted">its {c.documents} document(s) stay in the database</span>
        </div>
      ))}
      {unchanged.length > 0 && <p className="muted">Unchanged: {unchanged.join(', ')}</p>}
      {(plan.uniqueIndexes.build.length > 0 || plan.uniqueIndexes.drop.length > 0) && (
        <p>
          Unique indexes:{' '}
          {plan.uniqueIndexes.build.map((i) => (
            <Badge key={`b-${i.collection}.${i.field}`} tone="info">
              + {i.collection}.{i.field}
            </Badge>
          ))}{' '}
          {plan.uniqueIndexes.drop.map((i) => (
            <Badge key={`d-${i.collection}.${i.field}`}>
              − {i.collection}.{i.field}
            </Badge>
          ))}
        </p>
      )}
      {plan.violations.length > 0 && (
        <div>
          <h3>Stored documents that break a new rule</h3>
          <ul className="plan-fields">
            {plan.violations.map((v) => (
              <li key={`${v.kind}-${v.collection}.${v.path}-${v.message}`}>
                <Badge tone={v.kind === 'unique' ? 'bad' : 'warn'}>{v.kind === 'unique' ? 'blocks' : 'warning'}</Badge>{' '}
                <code>
                  {v.collection}.{v.path}
                </code>{' '}
                {v.message}: {v.count} {v.kind === 'unique' ? 'duplicated value(s)' : 'document(s)'}, e.g.{' '}
                {v.examples.map((e) => JSON.stringify(e)).join(', ')}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.warnings.map((w) => (
        <Notice key={w} kind="info">
          {w}
        </Notice>
      ))}
    </div>
  );
}

/** Schema as code: the current document, import → dry run → apply, and the type downloads. */
export function SchemaSyncPage() {
  const api = useApi();
  const { projectId, project, reload } = useProject();
  const queryClient = useQueryClient();
  const toast = useToast();
  const guard = useGuard('admin');
  const query = useQuery({ queryKey: ['schema', projectId], queryFn: () => schemaApi.pull(api, projectId) });
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | undefined>();
  const [result, setResult] = useState<(SyncAnswer & { message: string }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'dry' | 'apply' | null>(null);
  const [planned, setPlanned] = useState<string | null>(null);

  const parsed = (): unknown => {
    try {
      setParseError(undefined);
      return JSON.parse(text);
    } catch (err) {
      setParseError(`Not valid JSON: ${(err as Error).message}`);
      return undefined;
    }
  };
  const run = async (dryRun: boolean) => {
    const doc = parsed();
    if (doc === undefined) return;
    setBusy(dryRun ? 'dry' : 'apply');
    setError(null);
    try {
      const answer = await schemaApi.sync(api, projectId, doc, dryRun);
      setResult(answer);
      if (dryRun) setPlanned(text);
      else {
        setPlanned(null);
        toast(answer.message);
        reload();
        await queryClient.invalidateQueries({ queryKey: ['schema', projectId] });
      }
    } catch (err) {
      setError(err);
      if (!dryRun && err instanceof ApiError && err.status === 409) setPlanned(null);
    } finally {
      setBusy(null);
    }
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setText(await file.text());
    setResult(null);
    setPlanned(null);
  };
  const canApply = planned !== null && planned === text && result?.dryRun && !result.plan.blocked && result.synced > 0;

  return (
    <>
      <PageHeader
        title="Schema as code"
        subtitle="Keep the collections in git: export the schema document, edit it, review the plan of a dry run, then apply."
        actions={<TypesButtons />}
      />
      <Card
        title="Current schema"
        actions={
          query.data && (
            <>
              <CopyButton text={JSON.stringify(query.data, null, 2)} />
              <Button
                small
                onClick={() =>
                  downloadText(
                    `${slug(project.name)}.schema.json`,
                    `${JSON.stringify(query.data, null, 2)}\n`,
                    'application/json',
                  )
                }
              >
                Download
              </Button>
              <Button small {...guard} onClick={() => setText(JSON.stringify(query.data, null, 2))}>
                Edit a copy
              </Button>
            </>
          )
        }
      >
        <QueryState query={query} label="the schema">
          {(doc) => <pre className="code schema-json">{JSON.stringify(doc, null, 2)}</pre>}
        </QueryState>
      </Card>
      <Card title="Import a schema document">
        <div className="stack">
          <p className="muted">
            The document lists every collection: new ones are created, listed ones get the new field list (their RLS and data are
            kept), and a collection left out is no longer served while its documents stay in the database. See{' '}
            <code>docs/schema-as-code.md</code>.
          </p>
          <label className="btn btn-secondary btn-small file-pick">
            Choose a JSON file
            <input type="file" accept="application/json,.json" onChange={(e) => void onFile(e)} hidden />
          </label>
          <TextArea
            label="Schema document (JSON)"
            rows={14}
            spellCheck={false}
            className="code-input"
            value={text}
            error={parseError}
            onChange={(e) => setText(e.target.value)}
            placeholder='{ "collections": [ { "name": "posts", "model": [ { "key": "title", "type": "String", "required": true } ] } ] }'
          />
          <div className="row">
            <Button variant="secondary" busy={busy === 'dry'} disabled={!text.trim()} onClick={() => void run(true)}>
              Dry run
            </Button>
            <Button
              variant="primary"
              busy={busy === 'apply'}
              disabled={guard.disabled || !canApply}
              title={guard.title ?? (canApply ? undefined : 'Run a dry run of this exact document first')}
              onClick={() => void run(false)}
            >
              Apply
            </Button>
          </div>
          <ErrorBanner error={error} title="Refused" />
          {result && (
            <Card title={result.dryRun ? `Plan: ${result.synced} collection(s) would change` : result.message}>
              <PlanView plan={result.plan} />
            </Card>
          )}
        </div>
      </Card>
    </>
  );
}
