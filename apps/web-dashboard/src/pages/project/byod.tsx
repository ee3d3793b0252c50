import { type FormEvent, useState } from 'react';
import { type ByodInput, byodApi } from '../../api/extras.js';
import { useApi } from '../../auth/auth-context.js';
import { SelectField, TextField } from '../../components/form.js';
import { ConfirmDialog } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { Badge, Button, ErrorBanner, Notice, PageHeader } from '../../components/ui.js';
import { ApiError, errorMessage } from '../../lib/api-client.js';
import { useProject } from './layout.js';
import { WriteCard } from './role.js';
import { useProjectSave } from './use-save.js';

function Database() {
  const { project, projectId } = useProject();
  const api = useApi();
  const save = useProjectSave();
  const [dbUri, setDbUri] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [removing, setRemoving] = useState(false);
  const external = Boolean(project.resources?.db?.isExternal);
  const test = async () => {
    setTesting(true);
    setResult(null);
    try {
      const r = await byodApi.test(api, projectId, { dbUri: dbUri.trim() });
      setResult({ ok: true, text: r?.message ?? 'Connected successfully.' });
    } catch (err) {
      const noRoute = err instanceof ApiError && err.status === 404 && /route not found/i.test(err.message);
      setResult({
        ok: false,
        text: noRoute
          ? 'This server cannot test without saving. “Save and switch” runs the same connection test first and changes nothing when it fails.'
          : errorMessage(err),
      });
    } finally {
      setTesting(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save
      .run(() => byodApi.save(api, projectId, { dbUri: dbUri.trim() }), 'Database connected')
      .then((ok) => ok && setDbUri(''));
  };
  return (
    <WriteCard
      title="Your MongoDB"
      actions={external ? <Badge tone="good">Connected</Badge> : <Badge>Using the platform database</Badge>}
    >
      <form className="stack narrow" onSubmit={submit} noValidate>
        <p className="muted">
          Store this project’s collections in your own MongoDB (6+). The URI is encrypted at rest and never shown again.
        </p>
        <TextField
          label="MongoDB connection URI"
          type="password"
          autoComplete="off"
          placeholder="mongodb+srv://user:password@cluster.example.net/mydb"
          value={dbUri}
          onChange={(e) => setDbUri(e.target.value)}
        />
        {result && <Notice kind={result.ok ? 'success' : 'warning'}>{result.text}</Notice>}
        <ErrorBanner error={save.error} />
        <div className="row">
          <Button busy={testing} disabled={!dbUri.trim()} onClick={() => void test()}>
            Test connection
          </Button>
          <Button type="submit" variant="primary" busy={save.busy} disabled={!dbUri.trim()}>
            Save and switch
          </Button>
          {external && (
            <Button variant="danger" onClick={() => setRemoving(true)}>
              Disconnect
            </Button>
          )}
        </div>
      </form>
      {removing && (
        <ConfirmDialog
          title="Disconnect your database?"
          message="The project goes back to the platform database. Data in your MongoDB stays there but is no longer used."
          confirmLabel="Disconnect"
          onClose={() => setRemoving(false)}
          onConfirm={() => save.run(() => byodApi.removeDb(api, projectId), 'Database disconnected')}
        />
      )}
    </WriteCard>
  );
}

function Storage() {
  const { project, projectId } = useProject();
  const api = useApi();
  const save = useProjectSave();
  const [form, setForm] = useState<ByodInput>({ storageProvider: project.resources?.storage?.provider ?? 's3' });
  const [removing, setRemoving] = useState(false);
  const external = Boolean(project.resources?.storage?.isExternal);
  const usage = useProjectUsage(projectId);
  // On a plan without BYOS the form is disabled, with the reason, before anything is typed.
  const planReason = planBlock('byos', usage.data?.plan, usage.data?.limits);
  const set = (k: keyof ByodInput) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(() => byodApi.save(api, projectId, form), 'Storage connected');
  };
  return (
    <WriteCard
      title="Your file storage"
      actions={
        external ? (
          <Badge tone="good">{project.resources?.storage?.provider ?? 'Connected'}</Badge>
        ) : (
          <Badge>Using platform storage</Badge>
        )
      }
    >
      <PlanReason reason={planReason} id="byos-limit" />
      <form className="stack narrow" onSubmit={submit} noValidate>
        <fieldset
          className="fieldset-plain stack"
          disabled={Boolean(planReason)}
          aria-describedby={planReason ? 'byos-limit' : undefined}
        >
          <SelectField
            label="Provider"
            value={form.storageProvider}
            options={[
              { value: 's3', label: 'S3-compatible (AWS, R2, MinIO…)' },
              { value: 'supabase', label: 'Supabase Storage' },
            ]}
            onChange={set('storageProvider')}
          />
          {form.storageProvider === 'supabase' ? (
            <>
              <TextField
                label="Supabase project URL"
                placeholder="https://xyz.supabase.co"
                value={form.storageUrl ?? ''}
                onChange={set('storageUrl')}
              />
              <TextField
                label="Service role key"
                type="password"
                autoComplete="off"
                value={form.storageKey ?? ''}
                onChange={set('storageKey')}
              />
            </>
          ) : (
            <>
              <TextField label="Bucket" value={form.s3Bucket ?? ''} onChange={set('s3Bucket')} />
              <TextField label="Region" placeholder="us-east-1 or auto" value={form.s3Region ?? ''} onChange={set('s3Region')} />
              <TextField
                label="Endpoint (optional)"
                placeholder="https://<account>.r2.cloudflarestorage.com"
                value={form.s3Endpoint ?? ''}
                onChange={set('s3Endpoint')}
              />
              <TextField
                label="Access key ID"
                autoComplete="off"
                value={form.s3AccessKeyId ?? ''}
                onChange={set('s3AccessKeyId')}
              />
              <TextField
                label="Secret access key"
                type="password"
                autoComplete="off"
                value={form.s3SecretAccessKey ?? ''}
                onChange={set('s3SecretAccessKey')}
              />
              <TextField
                label="Public URL host (optional)"
                hint="Where files are publicly readable, e.g. a CDN domain."
                value={form.publicUrlHost ?? ''}
                onChange={set('publicUrlHost')}
              />
            </>
          )}
          <ErrorBanner error={save.error} />
          <div className="row">
            <Button type="submit" variant="primary" busy={save.busy}>
              Save storage
            </Button>
            {external && (
              <Button variant="danger" onClick={() => setRemoving(true)}>
                Disconnect
              </Button>
            )}
          </div>
        </fieldset>
      </form>
      {removing && (
        <ConfirmDialog
          title="Disconnect your storage?"
          message="New uploads go to platform storage. Files in your bucket stay there."
          confirmLabel="Disconnect"
          onClose={() => setRemoving(false)}
          onConfirm={() => save.run(() => byodApi.removeStorage(api, projectId), 'Storage disconnected')}
        />
      )}
    </WriteCard>
  );
}

export function ByodPage() {
  return (
    <>
      <PageHeader title="Bring your own" subtitle="Keep this project’s data in your MongoDB and its files in your bucket." />
      <div className="stack-lg">
        <Database />
        <Storage />
      </div>
    </>
  );
}
