import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { collectionsApi } from '../../api/projects.js';
import type { Collection } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { ConfirmDialog } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, PageHeader } from '../../components/ui.js';
import { useProject } from './layout.js';
import { GuardedLink, useGuard } from './role.js';

/** Deletes a collection after the name is typed. */
export function DeleteCollectionDialog({
  name,
  onClose,
  onDeleted,
}: { name: string; onClose: () => void; onDeleted?: () => void }) {
  const { projectId, reload } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      title={`Delete “${name}”?`}
      message="Every document in it is deleted, and apps using it start getting 404s. This cannot be undone."
      confirmText={name}
      confirmLabel="Delete collection"
      onClose={onClose}
      onConfirm={async () => {
        await collectionsApi.remove(api, projectId, name);
        await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
        reload();
        toast(`Collection “${name}” deleted`);
        onDeleted?.();
      }}
    />
  );
}

/**
 * Why the plan refuses another collection (`Free plan: 5 of 5 collections used. …`), or null. The
 * count is the project's live list, so it follows creates and deletes without a refetch.
 */
export function useCollectionBlock(): string | null {
  const { project, projectId } = useProject();
  const usage = useProjectUsage(projectId);
  return planBlock('collection', usage.data?.plan, usage.data?.limits, project.collections.length);
}

/**
 * "New collection": a link to the schema editor, disabled before any form when the plan has no
 * room (the reason is the element `collection-limit`, shown next to it) or the caller may not write.
 */
export function NewCollectionLink({ className, children }: { className: string; children: ReactNode }) {
  const { projectId } = useProject();
  const blocked = useCollectionBlock();
  if (blocked) {
    return (
      <button type="button" className={className} disabled aria-describedby="collection-limit">
        {children}
      </button>
    );
  }
  return (
    <GuardedLink className={className} to={`/projects/${projectId}/collections/new`}>
      {children}
    </GuardedLink>
  );
}

/** The plan's reason against another collection (element `collection-limit`), or nothing. */
export function CollectionLimitReason() {
  return <PlanReason reason={useCollectionBlock()} id="collection-limit" />;
}

function rlsLabel(c: Collection) {
  if (!c.rls?.enabled) return <Badge>RLS off</Badge>;
  return <Badge tone="good">{c.rls.mode === 'private' ? 'Private to owner' : 'Public read, owner write'}</Badge>;
}

export function CollectionsPage() {
  const { project, projectId } = useProject();
  const [deleting, setDeleting] = useState<string | null>(null);
  const guard = useGuard();
  const base = `/projects/${projectId}/collections`;
  return (
    <>
      <PageHeader
        title="Collections"
        subtitle="Tables of JSON documents with a schema, served at /api/data/<name>."
        actions={<NewCollectionLink className="btn btn-primary">New collection</NewCollectionLink>}
      />
      <CollectionLimitReason />
      {project.collections.length === 0 ? (
        <EmptyState
          title="No collections yet"
          action={<NewCollectionLink className="btn btn-primary">Create a collection</NewCollectionLink>}
        >
          Start with <code>users</code> if your app has accounts, then add your own (posts, orders…).
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Fields</th>
                <th scope="col">Access</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {project.collections.map((c) => (
                <tr key={c.name}>
                  <td>
                    <Link to={`${base}/${encodeURIComponent(c.name)}`} className="strong">
                      {c.name}
                    </Link>
                  </td>
                  <td className="muted">{c.model.map((f) => f.key).join(', ') || 'no fields'}</td>
                  <td>{rlsLabel(c)}</td>
                  <td className="row-end">
                    <GuardedLink className="btn btn-small btn-secondary" to={`${base}/${encodeURIComponent(c.name)}/schema`}>
                      Edit schema
                    </GuardedLink>
                    <Button small variant="danger" {...guard} onClick={() => setDeleting(c.name)} aria-label={`Delete ${c.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && <DeleteCollectionDialog name={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}
