import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { type AccountStats, type PlanLimits, type ProjectUsage, usageApi } from '../api/usage.js';
import { useApi } from '../auth/auth-context.js';
import { formatBytes, formatNumber } from '../lib/format.js';
import { Badge, Card } from './ui.js';

/** The project's limits (its owner's plan) and usage; shared cache key so pages stay in step. */
export function useProjectUsage(projectId: string) {
  const api = useApi();
  return useQuery({ queryKey: ['usage', projectId], queryFn: () => usageApi.project(api, projectId) });
}

export function useAccountStats() {
  const api = useApi();
  return useQuery({ queryKey: ['account-stats'], queryFn: () => usageApi.account(api) });
}

const WAY_FORWARD = 'The server administrator can move your account to a bigger plan (Admin → Developers).';

/**
 * Why the plan forbids an action, or null when it is allowed (or the limits are not loaded yet:
 * the server still refuses, this only explains it up front).
 */
export type PlanAction = 'project' | 'webhook' | 'mailTemplate' | 'byos' | 'collection' | 'member' | 'byok' | 'export';
export function planBlock(action: PlanAction, plan: string | undefined, limits: PlanLimits | undefined, used = 0): string | null {
  if (!limits) return null;
  const on = `the ${plan ?? 'current'} plan`;
  const Plan = `${plan ? plan.charAt(0).toUpperCase() + plan.slice(1) : 'Your'} plan`;
  const reached = (limit: number) => limit >= 0 && used >= limit;
  switch (action) {
    case 'project':
      return reached(limits.maxProjects)
        ? `Your plan allows ${limits.maxProjects} project${limits.maxProjects === 1 ? '' : 's'} and you own ${used}: ${on} has no room for another.`
        : null;
    case 'webhook':
      if (limits.webhooksLimit === 0) return `Webhooks are not included in ${on}.`;
      return reached(limits.webhooksLimit) ? `This project has reached its ${limits.webhooksLimit} webhooks.` : null;
    case 'mailTemplate':
      return limits.mailTemplatesEnabled ? null : `Custom mail templates are not included in ${on}.`;
    case 'byos':
      return limits.byosEnabled ? null : `Your own file storage (S3, Supabase) is not included in ${on}.`;
    case 'byok':
      return limits.byokEnabled ? null : `Your own OAuth and mail credentials are not included in ${on}.`;
    case 'collection':
      return reached(limits.maxCollections)
        ? `${Plan}: ${used} of ${limits.maxCollections} collections used. Upgrade or delete a collection.`
        : null;
    case 'member':
      return reached(limits.maxMembers)
        ? `${Plan}: ${used} of ${limits.maxMembers} members used (owner included). Upgrade or remove a member.`
        : null;
    case 'export': {
      const max = limits.exportsPerDay ?? -1;
      if (max === 0) return `Exports are not included in ${on}.`;
      return reached(max) ? `${Plan}: ${used} of ${max} exports used today (UTC). Try again tomorrow or upgrade.` : null;
    }
  }
}

/** The reason an action is disabled, shown next to it. */
export function PlanReason({ reason, id }: { reason: string | null; id?: string }) {
  if (!reason) return null;
  return (
    <p className="plan-reason" id={id}>
      <Badge tone="warn">Plan limit</Badge> {reason} <span className="muted">{WAY_FORWARD}</span>
    </p>
  );
}

function LimitRow({
  label,
  used,
  limit,
  format = formatNumber,
}: { label: string; used: number; limit: number; format?: (n: number) => string }) {
  const forbidden = limit === 0;
  const unlimited = limit < 0;
  const pct = unlimited || forbidden ? 0 : Math.min(100, Math.round((used / limit) * 100));
  const tone = pct >= 90 ? 'bad' : pct >= 70 ? 'warn' : 'good';
  return (
    <div className="usage">
      <div className="usage-label">
        <span>{label}</span>
        <span className="muted">
          {forbidden ? 'not in this plan' : `${format(used)} / ${unlimited ? 'unlimited' : format(limit)}`}
        </span>
      </div>
      {!forbidden && (
        <progress className={`usage-track usage-${tone}`} aria-label={label} max={100} value={pct}>
          {pct}%
        </progress>
      )}
    </div>
  );
}

function Feature({ label, on }: { label: string; on: boolean }) {
  return (
    <li>
      {on ? <Badge tone="good">Included</Badge> : <Badge>Not included</Badge>} {label}
    </li>
  );
}

/** Every limit of the project's plan with what the project uses now. */
export function ProjectPlanCard({ data }: { data: ProjectUsage }) {
  const { limits, usage } = data;
  return (
    <Card
      title={
        <>
          Plan and usage <Badge tone="info">{data.plan}</Badge>
        </>
      }
      className="plan-card"
    >
      <div className="plan-grid">
        <LimitRow label="Collections" used={usage.collections} limit={limits.maxCollections} />
        <LimitRow label="Storage" used={usage.storageBytes} limit={limits.storageBytes} format={formatBytes} />
        <LimitRow label="Database" used={usage.databaseBytes} limit={limits.mongoBytes} format={formatBytes} />
        <LimitRow label="Requests today (UTC)" used={usage.requestsToday} limit={limits.reqPerDay} />
        <LimitRow label="Mail this month" used={usage.mailThisMonth} limit={limits.mailPerMonth} />
        <LimitRow label="Webhooks" used={usage.webhooks} limit={limits.webhooksLimit} />
        <LimitRow label="Members (owner included)" used={usage.members} limit={limits.maxMembers} />
        {limits.exportsPerDay !== undefined && (
          <LimitRow label="Exports today (UTC)" used={usage.exportsToday ?? 0} limit={limits.exportsPerDay} />
        )}
      </div>
      <ul className="plan-features">
        <Feature label="Mail templates" on={limits.mailTemplatesEnabled} />
        <Feature label="Your own storage (S3 / Supabase)" on={limits.byosEnabled} />
        <Feature label="Your own OAuth / mail keys" on={limits.byokEnabled} />
      </ul>
      <p className="muted small">
        {limits.uploadBytes !== undefined && <>Files may be up to {formatBytes(limits.uploadBytes)} each. </>}
        Requests are also limited to {limits.reqPerMinute < 0 ? 'unlimited' : formatNumber(limits.reqPerMinute)} per minute.{' '}
        {WAY_FORWARD}
      </p>
    </Card>
  );
}

function PerProject({
  label,
  limit,
  total,
  format = formatNumber,
}: { label: string; limit: number; total?: string; format?: (n: number) => string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {limit < 0 ? 'unlimited' : limit === 0 ? 'not included' : format(limit)}
        {total !== undefined && <span className="muted"> ({total})</span>}
      </dd>
    </div>
  );
}

/** The account's plan over every project it owns (dashboard home). */
export function AccountPlanCard({ data, extra }: { data: AccountStats; extra?: ReactNode }) {
  const { limits, usage } = data;
  return (
    <Card
      title={
        <>
          Your plan <Badge tone="info">{data.plan}</Badge>
        </>
      }
      className="plan-card"
    >
      <LimitRow label="Projects you own" used={usage.totalProjects} limit={limits.maxProjects} />
      <p className="muted small">Each project may use, on this plan (in all your projects now):</p>
      <dl className="facts plan-facts">
        <PerProject label="Collections" limit={limits.maxCollections} total={formatNumber(usage.totalCollections)} />
        <PerProject
          label="Storage"
          limit={limits.storageBytes}
          format={formatBytes}
          total={formatBytes(usage.totalStorageUsed)}
        />
        <PerProject
          label="Database"
          limit={limits.mongoBytes}
          format={formatBytes}
          total={formatBytes(usage.totalDatabaseUsed)}
        />
        <PerProject label="Requests / day" limit={limits.reqPerDay} />
        <PerProject label="Mail / month" limit={limits.mailPerMonth} />
        <PerProject label="Webhooks" limit={limits.webhooksLimit} total={formatNumber(usage.totalWebhooks)} />
        <PerProject label="Members" limit={limits.maxMembers} />
      </dl>
      <ul className="plan-features">
        <Feature label="Mail templates" on={limits.mailTemplatesEnabled} />
        <Feature label="Your own storage (S3 / Supabase)" on={limits.byosEnabled} />
        <Feature label="Your own OAuth / mail keys" on={limits.byokEnabled} />
      </ul>
      {extra}
    </Card>
  );
}
