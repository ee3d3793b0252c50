import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { FieldDef } from '../../api/types.js';
import { Badge, Button, Card, EmptyState, PageHeader } from '../../components/ui.js';
import { DeleteCollectionDialog } from './collections.js';
import { DataBrowser } from './data-browser.js';
import { useProject } from './layout.js';
import { TrashPanel } from './lifecycle.js';
import { RlsPanel } from './rls-panel.js';
import { GuardedLink, useGuard } from './role.js';

function describe(f: FieldDef): string {
  if (f.type === 'Ref') return `Ref → ${f.ref ?? '?'}`;
  if (f.type === 'Array') return `Array of ${f.items?.type === 'Ref' ? `Ref → ${f.items.ref ?? '?'}` : (f.items?.type ?? 'any')}`;
  return f.type;
}

function SchemaSummary({ fields, depth = 0 }: { fields: FieldDef[]; depth?: number }) {
  return (
    <ul className={depth ? 'schema-summary nested-list' : 'schema-summary'}>
      {fields.map((f) => (
        <li key={f.key}>
          <code>{f.key}</code> <span className="muted">{describe(f)}</span>
          {f.required && <Badge tone="info">required</Badge>}
          {f.unique && <Badge tone="info">unique</Badge>}
          {f.default !== undefined && <Badge>default {JSON.stringify(f.default)}</Badge>}
          {f.enum?.length ? <Badge>one of {f.enum.join(', ')}</Badge> : null}
          {(f.fields ?? f.items?.fields)?.length ? (
            <SchemaSummary fields={f.fields ?? f.items?.fields ?? []} depth={depth + 1} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}

const TABS = [
  { id: 'data', label: 'Data' },
  { id: 'trash', label: 'Trash' },
  { id: 'rules', label: 'Access rules' },
  { id: 'schema', label: 'Schema' },
] as const;

export function CollectionPage() {
  const { project, projectId } = useProject();
  const { collection: name = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState(false);
  const guard = useGuard();
  const tab = params.get('tab') ?? 'data';
  const collection = project.collections.find((c) => c.name === name);
  if (!collection) {
    return (
      <EmptyState
        title="Collection not found"
        action={
          <Link className="btn btn-primary" to={`/projects/${projectId}/collections`}>
            All collections
          </Link>
        }
      >
        There is no collection named “{name}” in this project.
      </EmptyState>
    );
  }
  const schemaLink = `/projects/${projectId}/collections/${encodeURIComponent(name)}/schema`;
  return (
    <>
      <PageHeader
        title={name}
        subtitle={collection.rls?.enabled ? 'Row-level security is on' : 'Row-level security is off'}
        actions={
          <>
            <GuardedLink className="btn btn-secondary" to={schemaLink}>
              Edit schema
            </GuardedLink>
            <Button variant="danger" {...guard} onClick={() => setDeleting(true)}>
              Delete collection
            </Button>
          </>
        }
      />
      <div className="tabs" role="tablist" aria-label="Collection views">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setParams({ tab: t.id })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'data' && <DataBrowser key={name} collection={collection} />}
        {tab === 'trash' && <TrashPanel key={name} collection={collection} />}
        {tab === 'rules' && <RlsPanel key={`${name}-${collection.version ?? 0}`} collection={collection} />}
        {tab === 'schema' && (
          <Card
            title="Fields"
            actions={
              <GuardedLink className="btn btn-small btn-primary" to={schemaLink}>
                Edit schema
              </GuardedLink>
            }
          >
            {collection.model.length ? (
              <SchemaSummary fields={collection.model} />
            ) : (
              <p className="muted">No declared fields: any JSON is accepted.</p>
            )}
          </Card>
        )}
      </div>
      {deleting && (
        <DeleteCollectionDialog
          name={name}
          onClose={() => setDeleting(false)}
          onDeleted={() => navigate(`/projects/${projectId}/collections`)}
        />
      )}
    </>
  );
}
