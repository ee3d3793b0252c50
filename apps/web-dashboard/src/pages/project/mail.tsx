import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { mailApi } from '../../api/extras.js';
import type { MailTemplate } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { TextArea, TextField } from '../../components/form.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { fieldErrors } from '../../lib/api-client.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { MailDeliveryLog } from './mail-deliveries.js';
import { useGuard } from './role.js';

function TemplateForm({
  initial,
  onSave,
  onClose,
}: { initial: MailTemplate | null; onSave: (t: Partial<MailTemplate>) => Promise<unknown>; onClose: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [key, setKey] = useState(initial?.key ?? '');
  const [subject, setSubject] = useState(initial?.subject ?? '');
  const [html, setHtml] = useState(initial?.html ?? '');
  const [text, setText] = useState(initial?.text ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!html.trim() && !text.trim()) return setError('Write an HTML or a plain-text body.');
    setBusy(true);
    setError(null);
    try {
      await onSave({ name: name.trim(), subject, html, text, ...(key.trim() ? { key: key.trim() } : {}) });
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title={initial ? `Edit ${initial.name}` : 'New mail template'} onClose={onClose} wide>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div className="grid-2">
          <TextField label="Name" value={name} error={errors.name} autoFocus onChange={(e) => setName(e.target.value)} />
          <TextField
            label="Key (optional)"
            hint="Used as templateName in mail.send; derived from the name when empty."
            value={key}
            error={errors.key}
            onChange={(e) => setKey(e.target.value)}
          />
        </div>
        <TextField
          label="Subject"
          value={subject}
          error={errors.subject}
          hint="Variables: {{name}}"
          onChange={(e) => setSubject(e.target.value)}
        />
        <TextArea
          label="HTML body"
          rows={8}
          className="mono"
          value={html}
          error={errors.html}
          onChange={(e) => setHtml(e.target.value)}
        />
        <TextArea
          label="Plain-text body"
          rows={4}
          className="mono"
          value={text}
          error={errors.text}
          onChange={(e) => setText(e.target.value)}
        />
        <ErrorBanner error={error} />
        <div className="row-end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Save template
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** Loads the full template (the list has no bodies) before showing the form. */
function EditTemplate({
  id,
  onSave,
  onClose,
}: { id: string; onSave: (t: Partial<MailTemplate>) => Promise<unknown>; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const full = useQuery({ queryKey: ['mail-template', projectId, id], queryFn: () => mailApi.get(api, projectId, id) });
  if (full.isPending)
    return (
      <Modal title="Edit template" onClose={onClose}>
        <Loading />
      </Modal>
    );
  if (full.error)
    return (
      <Modal title="Edit template" onClose={onClose}>
        <ErrorBanner error={full.error} />
      </Modal>
    );
  return <TemplateForm initial={full.data ?? null} onSave={onSave} onClose={onClose} />;
}

export function MailPage() {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const key = ['mail-templates', projectId];
  const templates = useQuery({ queryKey: key, queryFn: () => mailApi.list(api, projectId) });
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [deleting, setDeleting] = useState<MailTemplate | null>(null);
  const guard = useGuard();
  const usage = useProjectUsage(projectId);
  const planReason = planBlock('mailTemplate', usage.data?.plan, usage.data?.limits);
  const create = planReason ? { disabled: true, 'aria-describedby': 'mail-template-limit' } : guard;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  return (
    <>
      <PageHeader
        title="Mail templates"
        subtitle="Reusable emails your server sends with mail.send({ templateName, variables })."
        actions={
          <Button variant="primary" {...create} onClick={() => setEditing('new')}>
            New template
          </Button>
        }
      />
      <PlanReason reason={planReason} id="mail-template-limit" />
      <QueryState query={templates} label="mail templates">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No templates yet"
              action={
                <Button variant="primary" {...create} onClick={() => setEditing('new')}>
                  Create a template
                </Button>
              }
            >
              Write a subject and body once, fill in variables per send.
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <td>
                        {t.name} {t.isSystem && <Badge>system</Badge>}
                      </td>
                      <td className="mono small">{t.key}</td>
                      <td>{t.subject}</td>
                      <td>{formatDate(t.updatedAt)}</td>
                      <td className="row-end nowrap">
                        <Button small {...guard} onClick={() => setEditing(t.id)} disabled={t.isSystem || guard.disabled}>
                          Edit
                        </Button>
                        <Button
                          small
                          variant="danger"
                          {...guard}
                          onClick={() => setDeleting(t)}
                          disabled={t.isSystem || guard.disabled}
                        >
                          Delete
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      <div style={{ marginTop: '1.5rem' }}>
        <MailDeliveryLog />
      </div>
      {editing === 'new' && (
        <TemplateForm
          initial={null}
          onClose={() => setEditing(null)}
          onSave={async (t) => {
            await mailApi.create(api, projectId, t);
            toast('Template created');
            await refresh();
          }}
        />
      )}
      {editing && editing !== 'new' && (
        <EditTemplate
          id={editing}
          onClose={() => setEditing(null)}
          onSave={async (t) => {
            await mailApi.update(api, projectId, editing, t);
            toast('Template saved');
            await refresh();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          message="Sends that use this template will fail."
          confirmLabel="Delete template"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await mailApi.remove(api, projectId, deleting.id);
            toast('Template deleted');
            await refresh();
          }}
        />
      )}
    </>
  );
}
