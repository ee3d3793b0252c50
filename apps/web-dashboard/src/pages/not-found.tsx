import { Link } from 'react-router';
import { EmptyState } from '../components/ui.js';

export function NotFoundPage() {
  return (
    <main id="main" className="app-main">
      <EmptyState
        title="Page not found"
        action={
          <Link className="btn btn-primary" to="/dashboard">
            Go to your projects
          </Link>
        }
      >
        The address you opened does not exist.
      </EmptyState>
    </main>
  );
}
