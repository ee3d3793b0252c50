import { describe, expect, it } from 'vitest';
import { type CommandItem, filterCommands } from './command-items.js';

const item = (group: CommandItem['group'], label: string, keywords?: string): CommandItem => ({
  id: `${group}-${label}`,
  group,
  label,
  keywords,
  run: () => undefined,
});

const items = [
  item('Pages', 'Projects', 'dashboard home'),
  item('Pages', 'Profile', 'account password sessions'),
  item('Project sections', 'Request logs'),
  item('Project sections', 'Collections'),
  item('Collections', 'books', 'collection data rows'),
  item('Collections', 'bookmarks', 'collection data rows'),
  item('Actions', 'Log out', 'sign out exit'),
];
const labels = (query: string) => filterCommands(items, query).map((i) => i.label);

describe('filterCommands', () => {
  it.each([
    ['', items.map((i) => i.label)],
    ['books', ['books']],
    ['BOOK', ['books', 'bookmarks']],
    ['bo', ['books', 'bookmarks']], // not "Projects" through "dashboard"
    ['logs', ['Request logs']],
    ['request logs', ['Request logs']],
    ['sign', ['Log out']], // a keyword prefix
    ['collection', ['Collections', 'books', 'bookmarks']], // the label match first, then the group
    ['zzz', []],
  ])('"%s" → %j', (query, expected) => {
    expect(labels(query)).toEqual(expected);
  });

  it('puts an exact label before a prefix before a substring match', () => {
    const list = [item('Collections', 'old-posts'), item('Collections', 'posts-archive'), item('Collections', 'posts')];
    expect(filterCommands(list, 'posts').map((i) => i.label)).toEqual(['posts', 'posts-archive', 'old-posts']);
  });
});
