import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { projectsApi } from '../../api/projects.js';
import { useApi } from '../../auth/auth-context.js';
import { TextArea, TextField } from '../../components/form.js';
import { ConfirmDialog } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Button, Card, ErrorBanner, PageHeader } from '../../components/ui.js';
import { fieldErrors } from '../../lib/api-client.js';
import { AuthSettings } from './auth-settings.js';
import { useProject } from './layout.js';
import { WriteCard, useGuard } from './role.js';
import { ToggleSetting } from './toggle-setting.js';
import { useProjectSave } from './use-save.js';

function General() {
  const { project, projectId } = useProject();
  const api = useApi();
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description ?? '');
  const [siteUrl, setSiteUrl] = useState(project.siteUrl ?? '');
  const save = useProjectSave();
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(
      () => projectsApi.update(api, projectId, { name: name.trim(), description, siteUrl: siteUrl.trim() }),
      'Project saved',
    );
  };
  return (
    <WriteCard title="General">
      <form className="stack narrow" onSubmit={submit} noValidate>
        <TextField label="Project name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
        <TextArea
          label="Description"
          rows={2}
          value={description}
          error={errors.description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <TextField
          label="Site URL"
          type="url"
          placeholder="https://myapp.com"
          hint="Your app’s address; OAuth sign-in redirects back here."
          value={siteUrl}
          error={errors.siteUrl}
          onChange={(e) => setSiteUrl(e.target.value)}
        />
        <ErrorBanner error={save.error} />
        <div>
          <Button type="submit" variant="primary" busy={save.busy}>
            Save
          </Button>
        </div>
      </form>
    </WriteCard>
  );
}

function Domains() {
  const { project, projectId } = useProject();
  const api = useApi();
  const [text, setText] = useState((project.allowedDomains ?? ['*']).join('\n'));
  const save = useProjectSave();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const domains = text
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    void save.run(() => projectsApi.setAllowedDomains(api, projectId, domains), 'Allowed domains saved');
  };
  return (
    <WriteCard title="Allowed domains">
      <form className="stack narrow" onSubmit={submit} noValidate>
        <TextArea
          label="Domains that may use the publishable key"
          hint="One per line: myapp.com, *.myapp.com or http://localhost:3000. Use * to allow any origin. The secret key is never origin-checked."
          rows={4}
          className="mono"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <ErrorBanner error={save.error} />
        <div>
          <Button type="submit" variant="primary" busy={save.busy}>
            Save domains
          </Button>
        </div>
      </form>
    </WriteCard>
  );
}

function Uploads() {
  const { project, projectId } = useProject();
  const api = useApi();
  const save = useProjectSave();
  const enabled = Boolean(project.allowPublishableUploads);
  return (
    <WriteCard title="Client uploads">
      <div className="stack">
        <ToggleSetting
          label="Let signed-in users upload files with the publishable key"
          hint="Off: only your secret key can upload. On: an end user with a valid token can upload, confirm and delete files in their own folder."
          value={enabled}
          busy={save.busy}
          onToggle={(next) =>
            save.run(
              () => projectsApi.update(api, projectId, { allowPublishableUploads: next }),
              next ? 'Client uploads enabled' : 'Client uploads disabled',
            )
          }
        />
        <ErrorBanner error={save.error} />
      </div>
    </WriteCard>
  );
}

function DangerZone() {
  const { project, projectId } = useProject();
  const api = useApi();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const guard = useGuard('owner');
  return (
    <Card title="Danger zone" className="danger-zone">
      <p className="muted">
        Deleting the project removes its collections and data, end users, files, logs, webhooks and keys. This cannot be undone.
      </p>
      {guard.disabled && <p className="field-hint">Only the project owner can delete the project.</p>}
      <Button variant="danger" {...guard} onClick={() => setOpen(true)}>
        Delete project
      </Button>
      {open && (
        <ConfirmDialog
          title={`Delete “${project.name}”?`}
          message="All data, users and files of this project are deleted permanently and both API keys stop working."
          confirmText={project.name}
          confirmLabel="Delete project"
          onClose={() => setOpen(false)}
          onConfirm={async () => {
            await projectsApi.remove(api, projectId);
            queryClient.removeQueries({ queryKey: ['project', projectId] });
            await queryClient.invalidateQueries({ queryKey: ['projects'] });
            toast(`Project “${project.name}” deleted`);
            navigate('/dashboard', { replace: true });
          }}
        />
      )}
    </Card>
  );
}

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="Project details, end-user authentication, domains and uploads." />
      <div className="stack-lg">
        <General />
        <AuthSettings />
        <Domains />
        <Uploads />
        <DangerZone />
      </div>
    </>
  );
}
