import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { projectsApi } from '../api/projects.js';
import type { CreatedProject } from '../api/types.js';
import { useApi } from '../auth/auth-context.js';
import { CopyField } from '../components/copy-button.js';
import { Checkbox, TextArea, TextField } from '../components/form.js';
import { Modal } from '../components/modal.js';
import { Button, ErrorBanner, Notice } from '../components/ui.js';
import { fieldErrors } from '../lib/api-client.js';

/** The keys of a new project, shown exactly once. */
export function KeysOnce({ project, onDone }: { project: CreatedProject; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <div className="stack">
      <Notice kind="warning">
        <strong>Copy these keys now.</strong> They are shown only once: urBackend stores only a hash. If you lose them, rotate
        them in the project’s API keys page.
      </Notice>
      <CopyField id="new-publishable-key" label="Publishable key" value={project.publishableKey} />
      <p className="field-hint">Safe in browsers and mobile apps. Reads, and writes allowed by row-level security.</p>
      <CopyField id="new-secret-key" label="Secret key" value={project.secretKey} />
      <p className="field-hint">Full access, bypasses row-level security. Keep it on your servers only.</p>
      <Checkbox label="I have stored both keys somewhere safe" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
      <Button variant="primary" disabled={!saved} onClick={onDone}>
        Continue to project
      </Button>
    </div>
  );
}

export function CreateProjectModal({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [siteUrl, setSiteUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedProject | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'Give the project a name.' });
      return;
    }
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const input = {
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(siteUrl.trim() ? { siteUrl: siteUrl.trim() } : {}),
      };
      const project = await projectsApi.create(api, input);
      setCreated(project);
      void queryClient.invalidateQueries({ queryKey: ['projects'] });
    } catch (err) {
      setError(err);
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Modal title={`“${created.name}” is ready`} dismissible={false} onClose={() => navigate(`/projects/${created._id}`)}>
        <KeysOnce project={created} onDone={() => navigate(`/projects/${created._id}`)} />
      </Modal>
    );
  }
  return (
    <Modal title="New project" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Project name"
          required
          autoFocus
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextArea
          label="Description (optional)"
          rows={2}
          value={description}
          error={errors.description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <TextField
          label="Site URL (optional)"
          type="url"
          placeholder="https://myapp.com"
          hint="Where your app runs; needed for GitHub / Google sign-in redirects."
          value={siteUrl}
          error={errors.siteUrl}
          onChange={(e) => setSiteUrl(e.target.value)}
        />
        <ErrorBanner error={error} />
        <div className="row-end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create project
          </Button>
        </div>
      </form>
    </Modal>
  );
}
