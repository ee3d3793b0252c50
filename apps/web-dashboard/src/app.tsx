import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/require-auth.js';
import { AppLayout } from './components/layout.js';
import { AdminPage } from './pages/admin/admin.js';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/auth-recovery.js';
import { LoginPage, RegisterPage } from './pages/auth.js';
import { DashboardPage } from './pages/dashboard.js';
import { InvitationsPage } from './pages/invitations.js';
import { LandingPage } from './pages/landing.js';
import { NotFoundPage } from './pages/not-found.js';
import { ProfilePage } from './pages/profile.js';
import { AnalyticsPage } from './pages/project/analytics.js';
import { ApiReferencePage } from './pages/project/api-reference.js';
import { BackupsPage } from './pages/project/backups.js';
import { ByodPage } from './pages/project/byod.js';
import { CollectionPage } from './pages/project/collection.js';
import { CollectionsPage } from './pages/project/collections.js';
import { ConfigLogPage } from './pages/project/config-log.js';
import { KeysPage } from './pages/project/keys.js';
import { ProjectLayout } from './pages/project/layout.js';
import { LogsPage } from './pages/project/logs.js';
import { MailPage } from './pages/project/mail.js';
import { MembersPage } from './pages/project/members.js';
import { OverviewPage } from './pages/project/overview.js';
import { RealtimePage } from './pages/project/realtime.js';
import { NewCollectionPage, SchemaEditPage } from './pages/project/schema-pages.js';
import { SchemaSyncPage } from './pages/project/schema-sync.js';
import { SettingsPage } from './pages/project/settings.js';
import { StoragePage } from './pages/project/storage.js';
import { UsersPage } from './pages/project/users.js';
import { WebhooksPage } from './pages/project/webhooks.js';
import { TokensPage } from './pages/tokens.js';
import { VerifyPage } from './pages/verify.js';

/** Every route of the dashboard; everything under AppLayout + RequireAuth needs a session. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<LandingPage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/verify" element={<VerifyPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route path="/dashboard" element={<DashboardPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="/invitations" element={<InvitationsPage />} />
        <Route path="/tokens" element={<TokensPage />} />
        <Route path="/admin" element={<AdminPage />} />
        <Route path="/projects/:projectId" element={<ProjectLayout />}>
          <Route index element={<OverviewPage />} />
          <Route path="collections" element={<CollectionsPage />} />
          <Route path="collections/new" element={<NewCollectionPage />} />
          <Route path="collections/:collection" element={<CollectionPage />} />
          <Route path="collections/:collection/schema" element={<SchemaEditPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="storage" element={<StoragePage />} />
          <Route path="mail" element={<MailPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="realtime" element={<RealtimePage />} />
          <Route path="analytics" element={<AnalyticsPage />} />
          <Route path="logs" element={<LogsPage />} />
          <Route path="keys" element={<KeysPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="byod" element={<ByodPage />} />
          <Route path="schema" element={<SchemaSyncPage />} />
          <Route path="api-reference" element={<ApiReferencePage />} />
          <Route path="members" element={<MembersPage />} />
          <Route path="config-log" element={<ConfigLogPage />} />
          <Route path="backups" element={<BackupsPage />} />
        </Route>
      </Route>
      <Route path="/home" element={<Navigate to="/dashboard" replace />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
