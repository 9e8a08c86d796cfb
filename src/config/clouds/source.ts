import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, isScalar, visit, type Document } from 'yaml';
import { CloudsConfigError } from './errors.ts';
import { isDict, type Dict } from './merge.ts';

/**
 * One parsed config file, kept with its YAML document so later validation errors can
 * name the line a key was written on. JSON files go through the YAML parser too (JSON is
 * YAML 1.2), which gives them line numbers for free.
 */
export interface SourceFile {
  path: string;
  data: Dict;
  lineOf(path: (string | number)[]): number | undefined;
}

export async function readSourceFile(path: string): Promise<SourceFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CloudsConfigError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      file: path,
    });
  }
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    keepSourceTokens: true,
  });
  const first = doc.errors[0];
  if (first) {
    // The yaml library's own message repeats the snippet; keep only the first line of it.
    const reason = first.message.split('\n')[0];
    throw new CloudsConfigError(`syntax error: ${reason}`, { file: path, line: first.linePos?.[0]?.line });
  }
  keepVersionsAsWritten(doc);
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    return { path, data: {}, lineOf: () => undefined };
  }
  if (!isDict(data)) {
    throw new CloudsConfigError('the file must contain a mapping at the top level', { file: path, line: 1 });
  }
  return {
    path,
    data,
    lineOf(keyPath) {
      // Try the path as written and with `_` spelled `-`, since both spellings are legal.
      for (const variant of [keyPath, keyPath.map((k) => (typeof k === 'string' ? k.replace(/_/g, '-') : k))]) {
        const node = doc.getIn(variant, true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
        // For a key whose value is null the pair still exists: fall back to the parent.
      }
      return undefined;
    },
  };
}

/**
 * `compute_api_version: 2.10` is a float to YAML, i.e. 2.1: a different microversion.
 * Version keys keep the text as written.
 */
function keepVersionsAsWritten(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.value !== 'number') return;
      if (!/[-_]api[-_]version$/.test(String(pair.key.value))) return;
      const token = pair.value.srcToken;
      if (token && 'source' in token && typeof token.source === 'string') pair.value.value = token.source;
    },
  });
}
