import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type ValidationMetadata = Parameters<MetadataStorage['addValidationMetadata']>[0];
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const CACHED = Symbol.for('wandelwerk.classValidatorMetadataCache');

/**
 * Memoises class-validator's metadata look-up. For every object it validates (the payload and each nested object and
 * list item) class-validator filters the metadata of the class and then tests the class against every class it knows
 * (`instanceof`, hundreds with the catalogue) to collect inherited rules, and groups the result by property. The
 * answer depends only on the class and the options, and changes only when a decorator adds metadata, so it is kept
 * until then. The result is what class-validator computes itself; it only stops recomputing it.
 *
 * The storage is class-validator's process-wide one, so other users of class-validator in the process (Nest's
 * ValidationPipe) benefit too. Installing it twice is harmless.
 */
export function cacheValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  const patched = storage as MetadataStorage & { [CACHED]?: true };
  if (patched[CACHED]) return;
  patched[CACHED] = true;

  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let byTarget = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let groupedBy = new WeakMap<ValidationMetadata[], Grouped>();

  storage.addValidationMetadata = (metadata) => {
    byTarget = new Map();
    groupedBy = new WeakMap();
    add(metadata);
  };

  storage.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    // `undefined` and `[]` mean the same to class-validator ("no groups").
    const key = `${String(targetSchema)}\u0000${always ? 1 : 0}${strictGroups ? 1 : 0}\u0000${groups?.join('\u0000') ?? ''}`;
    let forTarget = byTarget.get(targetConstructor);
    if (!forTarget) {
      forTarget = new Map();
      byTarget.set(targetConstructor, forTarget);
    }
    let metadatas = forTarget.get(key);
    if (!metadatas) {
      metadatas = lookUp(targetConstructor, targetSchema, always, strictGroups, groups);
      forTarget.set(key, metadatas);
    }
    return metadatas;
  };

  // class-validator groups the list it just looked up; for a cached list the grouping is cached with it. Neither is
  // modified by class-validator, which only reads and filters them.
  storage.groupByPropertyName = (metadata) => {
    let grouped = groupedBy.get(metadata);
    if (!grouped) {
      grouped = group(metadata);
      groupedBy.set(metadata, grouped);
    }
    return grouped;
  };
}
