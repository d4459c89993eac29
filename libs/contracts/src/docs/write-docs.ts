// Rewrites the generated documents from the catalogue: `npm run docs -w @wandelwerk/contracts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderAsyncApiYaml } from './asyncapi-document.js';
import { ASYNCAPI_DOCUMENT_PATH, EVENTS_GUIDE_PATH } from './doc-files.js';
import { withGeneratedTables } from './events-markdown.js';

writeFileSync(ASYNCAPI_DOCUMENT_PATH, renderAsyncApiYaml());
writeFileSync(EVENTS_GUIDE_PATH, withGeneratedTables(readFileSync(EVENTS_GUIDE_PATH, 'utf8')));
