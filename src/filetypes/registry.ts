// The inbound file types, one line each. Declared against InboundType so that the compiler
// rejects a type left out, or one missing a required part (context rules included). Shared
// code never names a type: it loops over, or looks up, a registry.
import { csprtf } from './csprtf/index.js';
import { otf } from './otf/index.js';
import { rtf } from './rtf/index.js';
import type { CompleteRegistry, FileTypeDefinition, FileTypeRegistry } from './types.js';

export const FILE_TYPES = {
  RTF: rtf,
  OTF: otf,
  CSPRTF: csprtf,
} as const satisfies CompleteRegistry;

export class UnknownFileTypeError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`unknown file type ${JSON.stringify(name)} (known: ${known.join(', ')})`);
    this.name = 'UnknownFileTypeError';
  }
}

/**
 * The production types, plus `extra` ones: the pipeline and the validator take a registry as a
 * dependency, so a test can add a type of its own without touching this file.
 */
export function fileTypeRegistry(extra: readonly FileTypeDefinition[] = []): FileTypeRegistry {
  const types: readonly FileTypeDefinition[] = [...Object.values(FILE_TYPES), ...extra];
  const byName = new Map<string, FileTypeDefinition>();
  for (const t of types) {
    if (byName.has(t.name)) throw new Error(`file type ${t.name} is declared twice`);
    if (t.layout.name !== t.name || t.layout.direction !== 'inbound') throw new Error(`file type ${t.name} needs an inbound layout of the same name`);
    byName.set(t.name, t);
  }
  const names = types.map((t) => t.name);
  return {
    types,
    names,
    get(name) {
      const t = byName.get(name);
      if (!t) throw new UnknownFileTypeError(name, names);
      return t;
    },
  };
}

/** The production registry. */
export const INBOUND_TYPES: FileTypeRegistry = fileTypeRegistry();
