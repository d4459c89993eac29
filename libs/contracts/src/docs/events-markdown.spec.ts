import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { EVENTS_GUIDE_PATH, REGENERATE_COMMAND } from './doc-files.js';
import { withGeneratedTables } from './events-markdown.js';

describe('docs/events.md', () => {
  it(`has the tables generated from the catalogue (else run: ${REGENERATE_COMMAND})`, () => {
    const guide = readFileSync(EVENTS_GUIDE_PATH, 'utf8');
    expect(guide).toBe(withGeneratedTables(guide));
  });
});
