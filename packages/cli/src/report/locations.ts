import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUDITED_KINDS, parseLocatedDocuments } from '@vigil/core';
import type { Locator } from '@vigil/core/report';
import type { LoadedSource } from '../sources.ts';

export type { Locator };

// Kinds that live in manifests (or nowhere, like the authorizer's built-in system:masters rule).
const KUBERNETES_KINDS = new Set<string>([...AUDITED_KINDS, 'ConfigMap', 'Authorizer']);

function keyOf(kind: string, name: string, namespace: string | undefined): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

/** A file path as a SARIF artifact URI: relative to the working directory when inside it, else file://. */
export function artifactUri(name: string, cwd: string): string {
  const absolute = resolve(cwd, name);
  const rel = relative(cwd, absolute);
  if (rel === '' || rel.startsWith('..') || resolve(cwd, rel) !== absolute)
    return pathToFileURL(absolute).href;
  return rel.split(sep).map(encodeURIComponent).join('/');
}

/**
 * Maps every object of the input files to the file that holds it. The files are parsed a second time
 * (cheap next to the audit) rather than threading file names through the snapshot model, which has no
 * place for them: a snapshot from a live cluster has no files.
 */
export function buildLocator(source: LoadedSource, cwd: string): Locator {
  const byObject = new Map<string, { uri: string; startLine: number }>();
  // `line`: where the value starts when known (a YAML document, an item of a YAML List), else its document's.
  const record = (uri: string, value: unknown, line: number, fallbackKind?: string, itemLines?: number[]) => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) record(uri, item, itemLines?.[i] ?? line, fallbackKind);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const object = value as {
      kind?: unknown;
      items?: unknown;
      metadata?: { name?: unknown; namespace?: unknown };
    };
    const kind = typeof object.kind === 'string' ? object.kind : fallbackKind;
    if (kind?.endsWith('List') && Array.isArray(object.items)) {
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      record(uri, object.items, line, itemKind, itemLines);
      return;
    }
    const name = object.metadata?.name;
    const namespace = object.metadata?.namespace;
    if (!kind || typeof name !== 'string') return;
    const key = keyOf(kind, name, typeof namespace === 'string' ? namespace : undefined);
    if (!byObject.has(key)) byObject.set(key, { uri, startLine: line });
  };
  for (const input of source.manifests) {
    if (input.name === 'stdin') continue;
    const uri = artifactUri(input.name, cwd);
    for (const document of parseLocatedDocuments(input)) {
      record(uri, document.value, document.line, undefined, document.itemLines);
    }
  }
  const eksUri = source.eks ? { uri: artifactUri(source.eks.name, cwd) } : undefined;
  const snapshotUri = source.snapshotFile ? { uri: artifactUri(source.snapshotFile.name, cwd) } : undefined;
  return (resource) => {
    const found = byObject.get(keyOf(resource.kind, resource.name, resource.namespace));
    if (found) return found;
    // Objects that are not Kubernetes objects (the EKS cluster, access entries, ...) come from the EKS file.
    if (eksUri && !KUBERNETES_KINDS.has(resource.kind)) return eksUri;
    return snapshotUri;
  };
}
