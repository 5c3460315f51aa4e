import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUDITED_KINDS, parseDocuments, type ResourceRef, type TextInput } from '@vigil/core';
import type { LoadedSource } from '../sources.ts';

/**
 * Finds the file an object of the report came from; undefined when it came from stdin or nowhere (a live
 * cluster), and the SARIF renderer then names a synthetic artifact for it (`objectArtifactUri`).
 */
export type Locator = (resource: ResourceRef) => string | undefined;

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
  const byObject = new Map<string, string>();
  const record = (input: TextInput, value: unknown, fallbackKind?: string) => {
    if (Array.isArray(value)) {
      for (const item of value) record(input, item, fallbackKind);
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
      record(input, object.items, kind === 'List' ? undefined : kind.slice(0, -'List'.length));
      return;
    }
    const name = object.metadata?.name;
    const namespace = object.metadata?.namespace;
    if (!kind || typeof name !== 'string') return;
    const key = keyOf(kind, name, typeof namespace === 'string' ? namespace : undefined);
    if (!byObject.has(key)) byObject.set(key, artifactUri(input.name, cwd));
  };
  for (const input of source.manifests) {
    if (input.name === 'stdin') continue;
    for (const document of parseDocuments(input)) record(input, document);
  }
  const eksUri = source.eks ? artifactUri(source.eks.name, cwd) : undefined;
  const snapshotUri = source.snapshotFile ? artifactUri(source.snapshotFile.name, cwd) : undefined;
  return (resource) => {
    const found = byObject.get(keyOf(resource.kind, resource.name, resource.namespace));
    if (found) return found;
    // Objects that are not Kubernetes objects (the EKS cluster, access entries, ...) come from the EKS file.
    if (eksUri && !KUBERNETES_KINDS.has(resource.kind)) return eksUri;
    return snapshotUri;
  };
}
