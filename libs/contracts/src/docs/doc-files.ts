import { fileURLToPath } from 'node:url';

// Resolved from this module, so the same paths hold for the sources (tests) and for dist (the writer script).
const repositoryRoot = new URL('../../../../', import.meta.url);

export const ASYNCAPI_DOCUMENT_PATH = fileURLToPath(new URL('docs/asyncapi.yaml', repositoryRoot));
export const EVENTS_GUIDE_PATH = fileURLToPath(new URL('docs/events.md', repositoryRoot));

/** The command that rewrites the generated documents after a contract changed. */
export const REGENERATE_COMMAND = 'npm run docs -w @wandelwerk/contracts';
