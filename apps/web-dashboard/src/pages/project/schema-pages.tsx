import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { collectionsApi } from '../../api/projects.js';
import { useApi } from '../../auth/auth-context.js';
import { TextField } from '../../components/form.js';
import { useToast } from '../../components/toast.js';
import { Button, EmptyState, ErrorBanner, Notice, PageHeader } from '../../components/ui.js';
import { FieldList } from '../../schema/field-row.js';
import { type FieldDraft, fromDraft, toDraft, usersTemplate, validateDrafts } from '../../schema/schema-model.js';
import { CollectionLimitReason } from './collections.js';
import { useProject } from './layout.js';
import { WriteCard } from './role.js';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

function SchemaPreview({ drafts }: { drafts: FieldDraft[] }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <Button small variant="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide JSON' : 'Show schema as JSON'}
      </Button>
      {open && <pre className="code">{JSON.stringify(drafts.map(fromDraft), null, 2)}</pre>}
    </div>
  );
}

function useSaver() {
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (drafts: FieldDraft[], action: () => Promise<unknown>) => {
    const found = validateDrafts(drafts);
    setProblems(found);
    if (Object.keys(found).length) {
      setError('Fix the highlighted fields first.');
      return false;
    }
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { problems, error, busy, run, setError };
}

export function NewCollectionPage() {
  const { project, projectId, reload } = useProject();
  const api = useApi();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [drafts, setDrafts] = useState<FieldDraft[]>([]);
  const [nameError, setNameError] = useState('');
  const saver = useSaver();
  const refTargets = useMemo(
    // Deduplicated: a typed name equal to an existing collection gave a duplicate React key in "Points to".
    () => [...new Set([...project.collections.map((c) => c.name), ...(name && NAME_RE.test(name) ? [name] : [])])],
    [project, name],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!NAME_RE.test(n)) return setNameError('Start with a letter; use letters, digits and _ only (max 63).');
    if (/^system/i.test(n)) return setNameError('Names starting with “system” are reserved.');
    setNameError('');
    const ok = await saver.run(drafts, () => collectionsApi.create(api, projectId, n, drafts.map(fromDraft)));
    if (ok) {
      await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
      reload();
      toast(`Collection “${n}” created`);
      navigate(`/projects/${projectId}/collections/${encodeURIComponent(n)}`);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <PageHeader title="New collection" subtitle="A collection is a table of JSON documents with a schema." />
      <CollectionLimitReason />
      <WriteCard>
        <div className="stack">
          <TextField
            label="Collection name"
            value={name}
            error={nameError}
            hint="Used as-is in the API: /api/data/<name>."
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
          {name.trim() === 'users' && (
            <Notice kind="info">
              <code>users</code> holds your app’s end users (sign-up, login). It needs <code>email</code> and{' '}
              <code>password</code> text fields.{' '}
              {drafts.length === 0 && (
                <Button small onClick={() => setDrafts(usersTemplate())}>
                  Add email, password and username
                </Button>
              )}
            </Notice>
          )}
          <h2 className="h3">Fields</h2>
          <p className="muted small">Every document also gets _id, createdAt and updatedAt.</p>
          <FieldList drafts={drafts} depth={1} problems={saver.problems} refTargets={refTargets} path="" onChange={setDrafts} />
          <SchemaPreview drafts={drafts} />
          <ErrorBanner error={saver.error} />
          <div className="row-end">
            <Link className="btn btn-secondary" to={`/projects/${projectId}/collections`}>
              Cancel
            </Link>
            <Button type="submit" variant="primary" busy={saver.busy}>
              Create collection
            </Button>
          </div>
        </div>
      </WriteCard>
    </form>
  );
}

export function SchemaEditPage() {
  const { project, projectId, reload } = useProject();
  const { collection = '' } = useParams();
  const api = useApi();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const current = project.collections.find((c) => c.name === collection);
  const [drafts, setDrafts] = useState<FieldDraft[]>(() => (current?.model ?? []).map(toDraft));
  const saver = useSaver();
  if (!current)
    return <EmptyState title="Collection not found">There is no collection named “{collection}” in this project.</EmptyState>;
  const removed = current.model.map((f) => f.key).filter((k) => !drafts.some((d) => d.key.trim() === k));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await saver.run(drafts, () => collectionsApi.updateSchema(api, projectId, collection, drafts.map(fromDraft)));
    if (ok) {
      await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
      reload();
      toast('Schema saved');
      navigate(`/projects/${projectId}/collections/${encodeURIComponent(collection)}`);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <PageHeader
        title={`Edit schema: ${collection}`}
        subtitle="Add, change or remove fields. Apps see the change within a second."
      />
      <WriteCard>
        <div className="stack">
          <FieldList
            drafts={drafts}
            depth={1}
            problems={saver.problems}
            refTargets={project.collections.map((c) => c.name)}
            path=""
            onChange={setDrafts}
          />
          {removed.length > 0 && (
            <Notice kind="warning">
              Removing {removed.map((k) => `“${k}”`).join(', ')} stops validating {removed.length === 1 ? 'it' : 'them'}; values
              already stored in documents are kept.
            </Notice>
          )}
          <SchemaPreview drafts={drafts} />
          <ErrorBanner error={saver.error} />
          <div className="row-end">
            <Link className="btn btn-secondary" to={`/projects/${projectId}/collections/${encodeURIComponent(collection)}`}>
              Cancel
            </Link>
            <Button type="submit" variant="primary" busy={saver.busy}>
              Save schema
            </Button>
          </div>
        </div>
      </WriteCard>
    </form>
  );
}
