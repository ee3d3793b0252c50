import { type FormEvent, useState } from 'react';
import type { WebhookInput } from '../../api/extras.js';
import type { Webhook } from '../../api/types.js';
import { Checkbox, TextField } from '../../components/form.js';
import { Modal } from '../../components/modal.js';
import { Button, ErrorBanner } from '../../components/ui.js';
import { fieldErrors } from '../../lib/api-client.js';

const ACTIONS = ['insert', 'update', 'delete'] as const;

/** A random 32-byte signing secret, hex (64 characters), from the browser's CSPRNG. */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const hasEvent = (events: Webhook['events']) =>
  Object.values(events ?? {}).some((flags) => Object.values(flags ?? {}).some(Boolean));

/** Create or edit a webhook: URL, signing secret and which collection events it receives. */
export function WebhookForm({
  webhook,
  collections,
  onSave,
  onClose,
}: { webhook: Webhook | null; collections: string[]; onSave: (w: WebhookInput) => Promise<unknown>; onClose: () => void }) {
  const [name, setName] = useState(webhook?.name ?? '');
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [secret, setSecret] = useState('');
  const [showSecret, setShowSecret] = useState(false);
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const [events, setEvents] = useState<Webhook['events']>(webhook?.events ?? {});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [eventsError, setEventsError] = useState<string | null>(null);
  const errors = fieldErrors(error);
  const toggle = (c: string, a: (typeof ACTIONS)[number], on: boolean) => {
    setEvents({ ...events, [c]: { ...events[c], [a]: on } });
    if (on) setEventsError(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!hasEvent(events)) {
      setEventsError('Choose at least one event: a webhook without events never fires.');
      return;
    }
    if (!webhook && secret.length < 16) return setError('The signing secret needs at least 16 characters.');
    setBusy(true);
    setError(null);
    try {
      await onSave({ name: name.trim(), url: url.trim(), enabled, events, ...(secret ? { secret } : {}) });
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title={webhook ? `Edit ${webhook.name}` : 'New webhook'} onClose={onClose} wide>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField label="Name" value={name} error={errors.name} autoFocus onChange={(e) => setName(e.target.value)} />
        <TextField
          label="Endpoint URL"
          type="url"
          placeholder="https://example.com/hooks/urbackend"
          value={url}
          error={errors.url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <div className="secret-row">
          <TextField
            label={webhook ? 'New signing secret (optional)' : 'Signing secret'}
            type={showSecret ? 'text' : 'password'}
            autoComplete="new-password"
            hint="16+ characters. Each delivery carries X-urBackend-Signature: sha256=<HMAC of the body with this secret>. Copy it to your server: it is not shown again."
            value={secret}
            error={errors.secret}
            onChange={(e) => setSecret(e.target.value)}
          />
          <Button
            small
            onClick={() => {
              setSecret(generateSecret());
              setShowSecret(true);
            }}
          >
            Generate secret
          </Button>
        </div>
        <fieldset className="events" aria-describedby={eventsError ? 'webhook-events-error' : undefined}>
          <legend>Events</legend>
          {collections.length === 0 ? (
            <p className="muted">Create a collection first.</p>
          ) : (
            collections.map((c) => (
              <div key={c} className="event-row">
                <span className="mono">{c}</span>
                {ACTIONS.map((a) => (
                  <Checkbox
                    key={a}
                    label={a}
                    checked={Boolean(events[c]?.[a])}
                    onChange={(e) => toggle(c, a, e.target.checked)}
                  />
                ))}
              </div>
            ))
          )}
          {(eventsError || errors.events) && (
            <p className="field-error" id="webhook-events-error" role="alert">
              {eventsError ?? errors.events}
            </p>
          )}
        </fieldset>
        <Checkbox label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <ErrorBanner error={error} />
        <div className="row-end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {webhook ? 'Save webhook' : 'Create webhook'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
