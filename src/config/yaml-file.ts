// Small readers for YAML settings files (node config, auth policy, static tokens) that report every mistake as
// `file:line: key: message`.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

export type { YamlNode };
export type Fail = (node: YamlNode | null | undefined, key: string, message: string) => never;

/** Parses a whole file; `fail` throws `error(message)` with the file and line of the node in the message. */
export function parseYamlFile(
  text: string,
  file: string,
  error: (message: string) => Error,
): { root: YamlNode | null; fail: Fail } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const fail: Fail = (node, key, message) => {
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    throw error(`${file}${line ? `:${line}` : ''}: ${key}: ${message}`);
  };
  if (doc.errors.length > 0) {
    const line = lineCounter.linePos(doc.errors[0].pos[0]).line;
    throw error(`${file}${line ? `:${line}` : ''}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const root = (doc.contents ?? null) as YamlNode | null;
  return { root: isScalar(root) && root.value === null ? null : root, fail };
}

export function describe(node: YamlNode | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return node.value === null ? 'nothing' : JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return 'something else';
}

/** Typed readers bound to one `fail`. */
export function readers(fail: Fail) {
  const str = (node: YamlNode | null | undefined, key: string): string => {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      return fail(node, key, `expected a non-empty string, got ${describe(node)}`);
    }
    return node.value;
  };
  const int = (node: YamlNode | null | undefined, key: string, min = 0): number => {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < min) {
      return fail(node, key, `expected an integer >= ${min}, got ${describe(node)}`);
    }
    return node.value;
  };
  const bool = (node: YamlNode | null | undefined, key: string): boolean => {
    if (!isScalar(node) || typeof node.value !== 'boolean')
      return fail(node, key, `expected true or false, got ${describe(node)}`);
    return node.value;
  };
  const list = (node: YamlNode | null | undefined, key: string): YamlNode[] => {
    if (!isSeq(node)) return fail(node, key, `expected a list, got ${describe(node)}`);
    return node.items as YamlNode[];
  };
  const strList = (node: YamlNode | null | undefined, key: string): string[] =>
    list(node, key).map((item, index) => str(item, `${key}[${index}]`));
  /** The pairs of a mapping; unknown keys fail. An empty `allowed` accepts any key. */
  const entries = (node: YamlNode | null | undefined, key: string, allowed: string[]) => {
    if (!isMap(node)) return fail(node, key, `expected a mapping, got ${describe(node)}`);
    return node.items.map((pair) => {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      const path = key ? `${key}.${name}` : name;
      if (allowed.length > 0 && !allowed.includes(name)) {
        fail(pair.key as YamlNode, path, `unknown key; expected one of: ${allowed.join(', ')}`);
      }
      return { name, path, node: pair.key as YamlNode, value: pair.value as YamlNode | null };
    });
  };
  return { str, int, bool, list, strList, entries };
}
